/**
 * The services of the functions' logs, and the metrics the consumer publishes, shared with the
 * dashboard and alarms (lib/monitoring.ts). Durations, errors and traffic are not among them: Lambda
 * and API Gateway publish those already.
 */
export const CONSUME_SERVICE = 'movierec-consume';
export const RECOMMEND_SERVICE = 'movierec-recommend';
export const BATCH_SERVICE = 'movierec-batch';

export const METRIC = {
  eventsReceived: 'EventsReceived',
  eventsApplied: 'EventsApplied',
  eventsQuarantined: 'EventsQuarantined',
} as const;
