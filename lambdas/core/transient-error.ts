/**
 * The name of an error a retry may mend (throttling, a timeout, a busy database): adapters throw
 * it, and the daily batch's steps retry it.
 */
export const TRANSIENT_ERROR = 'TransientError';
