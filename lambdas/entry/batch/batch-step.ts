/**
 * A Task of the daily batch as a Lambda handler: instrumented like every entry, with the step's
 * duration as a metric. Errors pass through with their names, which the workflow's Retry and Catch
 * match (TransientError is retried; anything else goes to RecordFailure).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BatchTask } from '../../core/daily-batch-workflow';
import { METRIC } from '../metric-names';
import { instrumented, type Observability } from '../observability';

export function batchStep<I, O>(tools: Observability, step: BatchTask, handler: (input: I) => Promise<O>) {
  return instrumented(tools, async (input: I) => {
    const started = performance.now();
    const output = await handler(input);
    tools.metrics.addDimension(METRIC.stepDimension, step);
    tools.metrics.addMetric(METRIC.batchStepDuration, MetricUnit.Seconds, (performance.now() - started) / 1000);
    return output;
  });
}
