/** The consumer Lambda, behind the MSK event source of `user-events`. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MSKEvent } from 'aws-lambda';
import { createConsumeHandler } from '../handlers/consume';
import { documentClient, s3Client } from './aws-clients';
import { eventLake, featureStore } from './adapters';
import { instrumented, observability } from './observability';

const tools = observability('movierec-consume');
const { metrics, tracer, port } = tools;
const s3 = s3Client(tracer);
const doc = documentClient(tracer);
const consume = createConsumeHandler({
  lake: eventLake(s3),
  features: featureStore(doc),
  logger: port,
});

export const handler = instrumented(tools, async (event: MSKEvent) => {
  const counts = await consume(event);
  metrics.addMetric('EventsReceived', MetricUnit.Count, counts.received);
  metrics.addMetric('EventsApplied', MetricUnit.Count, counts.applied);
  metrics.addMetric('EventsQuarantined', MetricUnit.Count, counts.quarantined);
  return counts;
});
