/**
 * A Task of the daily batch as a Lambda handler: instrumented like every entry, with the step's
 * duration as a metric. Errors pass through with their names, which the workflow's Retry and Catch
 * match (TransientError is retried; anything else goes to RecordFailure).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { BatchTask } from '../../core/daily-batch-workflow';
import { METRIC } from '../metric-names';
import { instrumented, type Observability } from '../observability';

/** What a step keeps of its function's time to stop its Athena queries and report, before Lambda ends it. */
const STOP_MARGIN_MS = 30_000;

export function batchStep<I, O>(tools: Observability, step: BatchTask, handler: (input: I, context: Context) => Promise<O>) {
  return instrumented(tools, async (input: I, context: Context) => {
    const started = performance.now();
    const output = await handler(input, context);
    tools.metrics.addDimension(METRIC.stepDimension, step);
    tools.metrics.addMetric(METRIC.batchStepDuration, MetricUnit.Seconds, (performance.now() - started) / 1000);
    return output;
  });
}

/** The time a step's Athena queries have: the function's, less what it needs to stop them. */
export function queryTime(context: Context): number {
  return Math.max(0, context.getRemainingTimeInMillis() - STOP_MARGIN_MS);
}
