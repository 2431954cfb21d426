/**
 * The AWS adapters of the entry files, configured from the function's environment:
 *   LAKE_BUCKET, LAKE_PREFIX (optional)       the data lake
 *   USERS_TABLE, MOVIES_TABLE                 the feature store
 *   MODELS_TABLE                              the model version pointer
 *   RUNS_TABLE                                the batch run log
 *   ATHENA_WORKGROUP, ATHENA_DATABASE         the batch's SQL engine
 *   ATHENA_TIMEOUT_MS (optional)              when to stop a query (default 10 minutes)
 * Each entry file asks only for what it uses, so a function needs only its own settings.
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AthenaBatchSqlEngine } from '../aws/athena-batch-sql-engine';
import { DynamoBatchRunLog } from '../aws/dynamo-batch-run-log';
import { DynamoFeatureStore } from '../aws/dynamo-feature-store';
import { S3BatchLake } from '../aws/s3-batch-lake';
import { S3DynamoModelStore } from '../aws/s3-dynamo-model-store';
import { S3Lake } from '../aws/s3-lake';
import { lakePrefix, optionalPositiveInteger, requiredEnv } from './environment';

export const eventLake = (s3: S3Client): S3Lake => new S3Lake(s3, requiredEnv('LAKE_BUCKET'), lakePrefix());

export const batchLake = (s3: S3Client): S3BatchLake =>
  new S3BatchLake(s3, requiredEnv('LAKE_BUCKET'), lakePrefix(), eventLake(s3));

export const featureStore = (doc: DynamoDBDocumentClient): DynamoFeatureStore =>
  new DynamoFeatureStore(doc, { users: requiredEnv('USERS_TABLE'), movies: requiredEnv('MOVIES_TABLE') });

export const modelStore = (s3: S3Client, doc: DynamoDBDocumentClient): S3DynamoModelStore =>
  new S3DynamoModelStore({ s3, bucket: requiredEnv('LAKE_BUCKET'), prefix: lakePrefix(), dynamo: doc, table: requiredEnv('MODELS_TABLE') });

export const runLog = (doc: DynamoDBDocumentClient): DynamoBatchRunLog => new DynamoBatchRunLog(doc, requiredEnv('RUNS_TABLE'));

export const athenaEngine = (athena: AthenaClient, s3: S3Client): AthenaBatchSqlEngine =>
  new AthenaBatchSqlEngine({
    athena,
    s3,
    workgroup: requiredEnv('ATHENA_WORKGROUP'),
    database: requiredEnv('ATHENA_DATABASE'),
    bucket: requiredEnv('LAKE_BUCKET'),
    prefix: lakePrefix(),
    timeoutMs: optionalPositiveInteger('ATHENA_TIMEOUT_MS'),
  });
