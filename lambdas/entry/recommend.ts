/** The recommendation API Lambda, behind the HTTP API. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createRecommendHandler } from '../handlers/recommend';
import { documentClient, s3Client } from './aws-clients';
import { featureStore, modelStore } from './stores-from-environment';
import { RECOMMEND_SERVICE } from './metric-names';
import { instrumented, observability } from './observability';
import { readEnvironment } from './environment';

const tools = observability(RECOMMEND_SERVICE);
const env = readEnvironment('recommend');
const { tracer, handlerLogger } = tools;
const s3 = s3Client(tracer);
const doc = documentClient(tracer);
// The model is loaded on the first request and again whenever the version pointer moves.
const recommend = createRecommendHandler({
  features: featureStore(doc, env),
  models: modelStore(s3, doc, env),
  logger: handlerLogger,
});

// Latency and status counts are API Gateway's and Lambda's own metrics.
export const handler = instrumented(tools, (event: APIGatewayProxyEventV2) => recommend(event));
