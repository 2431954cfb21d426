/** The recommendation API Lambda, behind the HTTP API. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createRecommendHandler } from '../handlers/recommend';
import { documentClient, s3Client } from './aws-clients';
import { featureStore, modelStore } from './adapters';
import { METRIC, RECOMMEND_SERVICE } from './metric-names';
import { instrumented, observability } from './observability';
import { readEnvironment } from './environment';

const tools = observability(RECOMMEND_SERVICE);
const env = readEnvironment('recommend');
const { metrics, tracer, port } = tools;
const s3 = s3Client(tracer);
const doc = documentClient(tracer);
// The model is loaded on the first request and again whenever the version pointer moves.
const recommend = createRecommendHandler({
  features: featureStore(doc, env),
  models: modelStore(s3, doc, env),
  logger: port,
});

export const handler = instrumented(tools, async (event: APIGatewayProxyEventV2) => {
  const started = performance.now();
  const result = await recommend(event);
  metrics.addMetric(METRIC.recommendationLatency, MetricUnit.Milliseconds, performance.now() - started);
  metrics.addMetric(`Status${Math.floor(result.statusCode / 100)}xx`, MetricUnit.Count, 1);
  return result;
});
