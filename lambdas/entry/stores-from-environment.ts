/**
 * The AWS adapters of the entry files, from the settings each function reads (./environment.ts).
 * Each takes only the settings it uses, so a function needs only its own.
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AthenaBatchSqlEngine } from '../aws/athena-batch-sql-engine';
import { DynamoBatchRunLog } from '../aws/dynamo-batch-run-log';
import { DynamoFeatureStore } from '../aws/dynamo-feature-store';
import { S3BatchLake } from '../aws/s3-batch-lake';
import { S3DynamoModelStore } from '../aws/s3-dynamo-model-store';
import { S3EventLake } from '../aws/s3-event-lake';
import type { SettingName } from './environment';

type Needs<K extends SettingName> = Record<K, string>;
type Lake = Needs<'LAKE_BUCKET'> & { lakePrefix: string };

export const eventLake = (s3: S3Client, env: Lake): S3EventLake => new S3EventLake(s3, env.LAKE_BUCKET, env.lakePrefix);

export const batchLake = (s3: S3Client, env: Lake): S3BatchLake => new S3BatchLake(s3, env.LAKE_BUCKET, env.lakePrefix, eventLake(s3, env));

export const featureStore = (doc: DynamoDBDocumentClient, env: Needs<'USERS_TABLE' | 'MOVIES_TABLE'>): DynamoFeatureStore =>
  new DynamoFeatureStore(doc, { users: env.USERS_TABLE, movies: env.MOVIES_TABLE });

export const modelStore = (s3: S3Client, doc: DynamoDBDocumentClient, env: Lake & Needs<'MODELS_TABLE'>): S3DynamoModelStore =>
  new S3DynamoModelStore({ s3, bucket: env.LAKE_BUCKET, prefix: env.lakePrefix, dynamo: doc, table: env.MODELS_TABLE });

export const runLog = (doc: DynamoDBDocumentClient, env: Needs<'RUNS_TABLE'>): DynamoBatchRunLog => new DynamoBatchRunLog(doc, env.RUNS_TABLE);

export const athenaEngine = (
  athena: AthenaClient,
  s3: S3Client,
  env: Lake & Needs<'ATHENA_WORKGROUP' | 'ATHENA_DATABASE'>,
  /** How long its queries may run, ms. */
  timeoutMs: number,
): AthenaBatchSqlEngine =>
  new AthenaBatchSqlEngine({
    athena,
    s3,
    workgroup: env.ATHENA_WORKGROUP,
    database: env.ATHENA_DATABASE,
    bucket: env.LAKE_BUCKET,
    prefix: env.lakePrefix,
    timeoutMs,
  });
