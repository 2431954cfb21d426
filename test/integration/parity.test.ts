import type { BatchState } from '../../lambdas/handlers/batch/batch-state';
import { DEFAULT_MODEL_QUALITY } from '../../lambdas/core/quality-gate';
import { DEFAULT_TRAIN_EVERY_DAYS } from '../../lambdas/core/training-schedule';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoBatchRunLog } from '../../lambdas/aws/dynamo-batch-run-log';
import { DynamoFeatureStore } from '../../lambdas/aws/dynamo-feature-store';
import { S3BatchLake } from '../../lambdas/aws/s3-batch-lake';
import { S3DynamoModelStore } from '../../lambdas/aws/s3-dynamo-model-store';
import { S3EventLake } from '../../lambdas/aws/s3-event-lake';
import type { BatchLake, FeatureStore, ModelStore } from '../../lambdas/core/ports';
import { createBronzeToSilverHandler } from '../../lambdas/handlers/batch/bronze-to-silver';
import { createGoldModelHandler } from '../../lambdas/handlers/batch/gold-model';
import { createPublishHandler } from '../../lambdas/handlers/batch/publish';
import { createRecordFailureHandler } from '../../lambdas/handlers/batch/record-failure';
import { createResolveDateHandler } from '../../lambdas/handlers/batch/resolve-date';
import { createSilverFeaturesHandler } from '../../lambdas/handlers/batch/silver-features';
import { createConsumeHandler } from '../../lambdas/handlers/consume';
import { createRecommendHandler } from '../../lambdas/handlers/recommend';
import { runDailyBatch, type BatchHandlers } from '../../local/batch-runner';
import { generateDemoData } from '../../local/demo-data';
import { EmbeddedProducer, messageFor } from '../../local/embedded-producer';
import { openDatabase } from '../../local/sqlite/database';
import { SqliteBatchLake } from '../../local/sqlite/sqlite-batch-lake';
import { batchHandlers } from '../../local/system';
import { AthenaTwin } from '../helpers/athena-twin';
import { recordingLogger, sqliteStores } from '../helpers/local-stores';
import { demoModel } from '../helpers/model-store-contract';
import { createTables } from '../helpers/dynalite';
import { TABLES, useLocalAws } from '../helpers/local-aws';
import { useTempDir } from '../helpers/temp-dir';

const demo = generateDemoData({ users: 50, movies: 40, seed: 11 });
const DAY = '2026-11-24';

/**
 * The same MSK batches for both sides (several partitions, bad records included): most events on
 * DAY, the rest the next morning, after the batch's as-of time, with offsets continuing.
 */
function batches(): { first: MSKEvent[]; later: MSKEvent[] } {
  const db = openDatabase(':memory:');
  const producer = new EmbeddedProducer(db);
  const split = Math.floor(demo.events.length * 0.8);
  const first = producer.batches(demo.events.slice(0, split).map(messageFor), 250, Date.UTC(2026, 10, 24, 12));
  const later = producer.batches(demo.events.slice(split).map(messageFor), 250, Date.UTC(2026, 10, 25, 8));
  db.close();
  return { first, later };
}

interface Side {
  lake: S3EventLake | ReturnType<typeof sqliteStores>['lake'];
  features: FeatureStore;
  models: ModelStore;
}

const USERS = Array.from({ length: 52 }, (_, i) => i + 1);

/** What serving reads of the features: every profile, movie and the global statistics. */
async function view(features: FeatureStore) {
  const profiles = await Promise.all(USERS.map((u) => features.getUserProfile(u)));
  return {
    profiles: profiles.map((p) => p && { ...p, ratings: [...p.ratings].sort((a, b) => a.movieId - b.movieId) }),
    movies: [...(await features.getMovieFeatures(demo.movies.map((m) => m.movieId)))].sort((a, b) => a[0] - b[0]),
    global: (await features.readSnapshot({ userIds: [], movieIds: [], pairs: [] })).global,
  };
}

/**
 * The view without the features' times of change: features a batch found equal to silver keep the
 * time a consumer last changed them, so two stores whose consumers differed agree on values only.
 */
function valuesOf(v: Awaited<ReturnType<typeof view>>) {
  return {
    ...v,
    profiles: v.profiles.map((p) => p && { ...p, features: { ...p.features, updatedAt: 0 } }),
    movies: v.movies.map(([id, m]) => [id, { ...m, updatedAt: 0 }]),
  };
}

/** The recommend handler's answers to known users, an unknown one and a similar-movies request. */
async function answers(side: Side): Promise<string[]> {
  const handler = createRecommendHandler({ features: side.features, models: side.models, logger: recordingLogger() });
  const paths = [...USERS.slice(0, 12).map((u) => `/users/${u}/recommendations`), '/users/999/recommendations', '/movies/3/similar'];
  return Promise.all(
    paths.map(async (rawPath) => (await handler({ rawPath, rawQueryString: 'limit=10', requestContext: { http: { method: 'GET' } } })).body),
  );
}

async function consumeAll(side: Side, events: MSKEvent[]) {
  const consume = createConsumeHandler({ lake: side.lake, features: side.features, logger: recordingLogger() });
  const counts = [];
  for (const batch of events) counts.push(await consume(batch));
  return counts;
}

describe('parity: SQLite adapters against S3 and DynamoDB adapters', () => {
  const tempDir = useTempDir();
  const servers = useLocalAws();

  it('consume and recommend give identical features, lake keys and recommendations', async () => {
    const [s3, dynamo] = [servers.s3(), servers.dynamo()];
    const local = sqliteStores(tempDir());
    const aws = {
      lake: new S3EventLake(s3.s3, s3.bucket),
      features: new DynamoFeatureStore(dynamo.doc, TABLES),
      models: new S3DynamoModelStore({ s3: s3.s3, bucket: s3.bucket, dynamo: dynamo.doc, table: TABLES.models }),
    };
    const model = demoModel(DAY);
    const counts = [];
    for (const side of [local, aws]) {
      await side.features.upsertMovies(demo.movies);
      const { first, later } = batches();
      counts.push(await consumeAll(side, [...first, ...later]));
      await side.models.write(model);
      await side.models.activate(model.manifest.version);
    }
    expect(counts[1]).toEqual(counts[0]);

    const keys = local.db.prepare('SELECT object_key FROM lake_objects ORDER BY object_key').pluck().all();
    const listed = await s3.s3.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'bronze/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(keys);

    expect(await view(aws.features)).toEqual(await view(local.features));
    expect(await answers(aws)).toEqual(await answers(local));
    local.db.close();
  });

  it('events, consume, the daily batch (Athena steps by their SQLite twin) and recommend agree', async () => {
    const [s3, dynamo] = [servers.s3(), servers.dynamo()];
    const tables = { users: 'b-users', movies: 'b-movies', models: 'b-models', runs: 'b-runs' };
    await createTables(dynamo, tables);
    const prefix = 'lake/';
    const now = () => new Date('2026-11-25T06:00:00Z');

    const local = sqliteStores(tempDir());
    const awsLake = new S3EventLake(s3.s3, s3.bucket, prefix);
    const aws = {
      lake: awsLake,
      features: new DynamoFeatureStore(dynamo.doc, tables),
      models: new S3DynamoModelStore({ s3: s3.s3, bucket: s3.bucket, prefix, dynamo: dynamo.doc, table: tables.models }),
    };
    const athena = new AthenaTwin(s3.s3, s3.bucket, prefix);
    const awsBatchLake = new S3BatchLake(s3.s3, s3.bucket, prefix, awsLake);
    const runs = new DynamoBatchRunLog(dynamo.doc, tables.runs);
    const awsHandlers: BatchHandlers = {
      ResolveDate: createResolveDateHandler({ now }),
      BronzeToSilver: createBronzeToSilverHandler({ engine: athena, lake: awsBatchLake }),
      SilverFeatures: createSilverFeaturesHandler({ engine: athena }),
      GoldModel: createGoldModelHandler({ lake: awsBatchLake, models: aws.models, ...DEFAULT_MODEL_QUALITY, trainEveryDays: DEFAULT_TRAIN_EVERY_DAYS }),
      Publish: createPublishHandler({ lake: awsBatchLake, features: aws.features, models: aws.models, runs, now }),
      RecordFailure: createRecordFailureHandler({ runs, now }),
    };

    // Locally the catalog is loaded into SQLite; in AWS it is only in the lake, as an export leaves
    // it, and reaches DynamoDB when the batch publishes.
    await local.features.upsertMovies(demo.movies);
    await awsLake.writeCatalog(demo.movies);
    const { first, later } = batches();
    expect(await consumeAll(aws, first)).toEqual(await consumeAll(local, first));

    const results = [
      await runDailyBatch(batchHandlers(local.db, local.features, local.models, { now }), { date: DAY }, { retryIntervalMs: 0 }),
      await runDailyBatch(awsHandlers, { date: DAY }, { retryIntervalMs: 0 }),
    ];
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(athena.runs.map((r) => r.target)).toEqual(['silver_ratings', 'silver_user_features', 'silver_movie_features']);
    // Same silver, and the same gold: the model version is a hash of its content.
    const lakes: BatchLake[] = [new SqliteBatchLake(local.db), awsBatchLake];
    const silver = await Promise.all(
      lakes.map(async (l) => ({ users: await l.readUserFeatures(DAY), movies: await l.readMovieFeatures(DAY), interactions: await l.readInteractions(DAY) })),
    );
    expect(silver[0]!.users.length).toBe(50);
    expect(silver[1]).toEqual(silver[0]);
    // Every step's output but the times taken: the offline measure of the model included.
    const [localOutput, awsOutput] = results.map((r) => r.output as Required<Pick<BatchState, 'gold'>>);
    const untimed = (o: typeof localOutput) => ({ ...o, gold: { ...o!.gold, trainingSeconds: 0, measureSeconds: 0 } });
    // The AWS consumer had no catalog online: its users' genre features reach DynamoDB with this
    // publish, where the local consumer had them right already.
    const { publish: awsPublish, ...awsRest } = awsOutput as Required<Pick<BatchState, 'gold' | 'publish'>>;
    const { publish: localPublish, ...localRest } = localOutput as Required<Pick<BatchState, 'gold' | 'publish'>>;
    expect(untimed(awsRest as typeof awsOutput)).toEqual(untimed(localRest as typeof localOutput));
    expect(awsPublish).toEqual({ ...localPublish, replaced: localPublish.replaced + 50, unchanged: localPublish.unchanged - 50 });
    expect(localOutput!.gold.evaluation!.hybrid.ndcg).toBeGreaterThan(0);
    expect(localOutput!.gold.gate).toMatchObject({ passed: true, reason: 'no model serves yet' });
    expect(await aws.models.activeVersion()).toBe(localOutput!.gold.version);
    expect(await aws.models.load(localOutput!.gold.version)).toEqual(await local.models.load(localOutput!.gold.version));

    expect(await consumeAll(aws, later)).toEqual(await consumeAll(local, later));
    expect(valuesOf(await view(aws.features))).toEqual(valuesOf(await view(local.features)));
    expect(await answers(aws)).toEqual(await answers(local));

    // The next day merges its bronze onto this day's silver, on S3 by the receipt the first run left.
    const NEXT = '2026-11-25';
    const next = [
      await runDailyBatch(batchHandlers(local.db, local.features, local.models, { now }), { date: NEXT }, { retryIntervalMs: 0 }),
      await runDailyBatch(awsHandlers, { date: NEXT }, { retryIntervalMs: 0 }),
    ];
    const [localNext, awsNext] = next.map((r) => r.output as Required<Pick<BatchState, 'gold' | 'silver'>>);
    expect(localNext!.silver).toEqual({ ratings: expect.any(Number), base: DAY });
    expect(untimed(awsNext!)).toEqual(untimed(localNext!));
    // A day between trainings: both refresh the first day's model, from what each store holds.
    expect(localNext!.gold).toMatchObject({ trainedOn: DAY, trainingSeconds: 0 });
    expect(athena.runs.at(-3)).toEqual({ target: 'silver_ratings', date: NEXT, params: { base: DAY } });
    expect(await awsBatchLake.readInteractions(NEXT)).toEqual(await lakes[0]!.readInteractions(NEXT));

    const { Items } = await dynamo.doc.send(
      new QueryCommand({ TableName: tables.runs, KeyConditionExpression: '#d = :d', ExpressionAttributeNames: { '#d': 'date' }, ExpressionAttributeValues: { ':d': DAY } }),
    );
    expect(Items!.map((i) => i.status)).toEqual(['succeeded']);
    local.db.close();
  });
});
