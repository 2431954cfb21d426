/** The consumer Lambda, behind the MSK event source of `user-events`. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { MSKEvent } from 'aws-lambda';
import { DynamoFeatureStore } from '../aws/dynamo-feature-store';
import { S3Lake } from '../aws/s3-lake';
import { createConsumeHandler } from '../handlers/consume';
import { lakePrefix, requiredEnv } from './environment';
import { observability } from './observability';

const { logger, metrics, tracer, port } = observability('movierec-consume');
const s3 = tracer.captureAWSv3Client(new S3Client({}));
const doc = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));
const consume = createConsumeHandler({
  lake: new S3Lake(s3, requiredEnv('LAKE_BUCKET'), lakePrefix()),
  features: new DynamoFeatureStore(doc, { users: requiredEnv('USERS_TABLE'), movies: requiredEnv('MOVIES_TABLE') }),
  logger: port,
});

export const handler = middy(async (event: MSKEvent) => {
  const counts = await consume(event);
  metrics.addMetric('EventsReceived', MetricUnit.Count, counts.received);
  metrics.addMetric('EventsApplied', MetricUnit.Count, counts.applied);
  metrics.addMetric('EventsQuarantined', MetricUnit.Count, counts.quarantined);
  return counts;
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
