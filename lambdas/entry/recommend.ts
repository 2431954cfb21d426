/** The recommendation API Lambda, behind the HTTP API. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DynamoFeatureStore } from '../aws/dynamo-feature-store';
import { S3DynamoModelStore } from '../aws/s3-dynamo-model-store';
import { createRecommendHandler } from '../handlers/recommend';
import { lakePrefix, requiredEnv } from './environment';
import { observability } from './observability';

const { logger, metrics, tracer, port } = observability('movierec-recommend');
const s3 = tracer.captureAWSv3Client(new S3Client({}));
const doc = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));
// The model is loaded on the first request and again whenever the version pointer moves.
const recommend = createRecommendHandler({
  features: new DynamoFeatureStore(doc, { users: requiredEnv('USERS_TABLE'), movies: requiredEnv('MOVIES_TABLE') }),
  models: new S3DynamoModelStore({ s3, bucket: requiredEnv('LAKE_BUCKET'), prefix: lakePrefix(), dynamo: doc, table: requiredEnv('MODELS_TABLE') }),
  logger: port,
});

export const handler = middy(async (event: APIGatewayProxyEventV2) => {
  const started = performance.now();
  const result = await recommend(event);
  metrics.addMetric('RecommendationLatency', MetricUnit.Milliseconds, performance.now() - started);
  metrics.addMetric(`Status${Math.floor(result.statusCode / 100)}xx`, MetricUnit.Count, 1);
  return result;
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
