/** The consumer Lambda, behind the MSK event source of `user-events`. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MSKEvent } from 'aws-lambda';
import { createConsumeHandler } from '../handlers/consume';
import { documentClient, s3Client } from './aws-clients';
import { eventLake, featureStore } from './stores-from-environment';
import { CONSUME_SERVICE, METRIC } from './metric-names';
import { customMetrics, instrumented, observability } from './observability';
import { readEnvironment } from './environment';

const tools = observability(CONSUME_SERVICE);
const env = readEnvironment('consume');
const { tracer, handlerLogger } = tools;
const metrics = customMetrics(CONSUME_SERVICE);
const s3 = s3Client(tracer);
const doc = documentClient(tracer);
const consume = createConsumeHandler({
  lake: eventLake(s3, env),
  features: featureStore(doc, env),
  logger: handlerLogger,
});

export const handler = instrumented(tools, async (event: MSKEvent) => {
  const counts = await consume(event);
  metrics.addMetric(METRIC.eventsReceived, MetricUnit.Count, counts.received);
  metrics.addMetric(METRIC.eventsApplied, MetricUnit.Count, counts.applied);
  metrics.addMetric(METRIC.eventsQuarantined, MetricUnit.Count, counts.quarantined);
  return counts;
}, metrics);
