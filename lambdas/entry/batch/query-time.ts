/**
 * How long an Athena step's queries may run: its function's remaining time, less what it needs to
 * stop them and report before Lambda ends it.
 */
import type { Context } from 'aws-lambda';

const STOP_MARGIN_MS = 30_000;

export function queryTime(context: Context): number {
  return Math.max(0, context.getRemainingTimeInMillis() - STOP_MARGIN_MS);
}
