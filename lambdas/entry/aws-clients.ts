/** The AWS SDK clients of an entry file, traced by its Powertools tracer. Creating one opens no connection. */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const s3Client = (tracer: Tracer): S3Client => tracer.captureAWSv3Client(new S3Client({}));

export const documentClient = (tracer: Tracer): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));

export const athenaClient = (tracer: Tracer): AthenaClient => tracer.captureAWSv3Client(new AthenaClient({}));
