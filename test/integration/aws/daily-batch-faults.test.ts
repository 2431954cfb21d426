/**
 * The daily batch on the AWS adapters (the state machine's ASL run by aws-local-stepfunctions, S3 on
 * s3rver, DynamoDB on dynalite, the Athena engine against a mocked Athena client whose queries
 * the SQLite twin runs on what is in S3), with faults: an Athena query failing, transiently or
 * for good, and a step crashing after its work. A failed run is recorded, and a re-run of the date
 * ends in exactly the outputs and online features of a run that never failed.
 */
import { DEFAULT_MODEL_QUALITY } from '../../../lambdas/core/quality-gate';
import { DEFAULT_TRAIN_EVERY_DAYS } from '../../../lambdas/core/training-schedule';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AthenaBatchSqlEngine } from '../../../lambdas/aws/athena-batch-sql-engine';
import { DynamoBatchRunLog } from '../../../lambdas/aws/dynamo-batch-run-log';
import { DynamoFeatureStore } from '../../../lambdas/aws/dynamo-feature-store';
import { S3BatchLake } from '../../../lambdas/aws/s3-batch-lake';
import { S3DynamoModelStore } from '../../../lambdas/aws/s3-dynamo-model-store';
import { S3EventLake } from '../../../lambdas/aws/s3-event-lake';
import { SILVER_MOVIE_FEATURES, SILVER_RATINGS, SILVER_USER_FEATURES } from '../../../lambdas/core/lake/batch-queries';
import { silverPartitionKey } from '../../../lambdas/core/lake/lake-layout';
import type { BatchQuery } from '../../../lambdas/core/ports';
import { createBronzeToSilverHandler } from '../../../lambdas/handlers/batch/bronze-to-silver';
import { createGoldModelHandler } from '../../../lambdas/handlers/batch/gold-model';
import { createPublishHandler } from '../../../lambdas/handlers/batch/publish';
import { createRecordFailureHandler } from '../../../lambdas/handlers/batch/record-failure';
import { createResolveDateHandler } from '../../../lambdas/handlers/batch/resolve-date';
import { createSilverFeaturesHandler } from '../../../lambdas/handlers/batch/silver-features';
import { createConsumeHandler } from '../../../lambdas/handlers/consume';
import { runDailyBatch, type BatchHandlers } from '../../../local/batch-runner';
import { generateDemoData } from '../../../local/demo-data';
import { EmbeddedProducer, messageFor } from '../../../local/embedded-producer';
import { openDatabase } from '../../../local/sqlite/database';
import { AthenaTwin } from '../../helpers/athena-twin';
import { createTables } from '../../helpers/dynalite';
import { useLocalAws } from '../../helpers/local-aws';
import { recordingLogger } from '../../helpers/local-stores';

const demo = generateDemoData({ users: 40, movies: 30, seed: 23 });
const DAY = '2026-11-24';
const now = () => new Date(`${DAY}T23:59:59.999Z`);
const QUERIES: readonly BatchQuery[] = [SILVER_RATINGS, SILVER_USER_FEATURES, SILVER_MOVIE_FEATURES];

/**
 * Athena as the engine sees it: a query starts at once and runs in the background (an UNLOAD by the
 * twin), RUNNING until it ends, then SUCCEEDED; or FAILED at once, with `failure(target)`'s reason
 * when that gives one. The count query answers the twin's count.
 */
function fakeAthena(twin: AthenaTwin, prefix: string, failure: (target: BatchQuery['target']) => string | undefined): void {
  const athena = mockClient(AthenaClient);
  type Execution = { state: 'RUNNING' | 'SUCCEEDED' | 'FAILED'; reason?: string; count?: number };
  const executions = new Map<string, Execution>();
  const counts = new Map<string, number>();
  athena.on(StartQueryExecutionCommand).callsFake(async ({ QueryString: sql }: StartQueryExecutionCommandInput) => {
    const id = `q-${executions.size + 1}`;
    const date = /dt\s*=\s*'?(\d{4}-\d{2}-\d{2})/.exec(sql!)?.[1] ?? '';
    const unloaded = QUERIES.find((q) => sql!.startsWith('UNLOAD') && sql!.includes(`/${prefix}${silverPartitionKey(q.target, date)}'`));
    if (unloaded) {
      const reason = failure(unloaded.target);
      if (reason) executions.set(id, { state: 'FAILED', reason });
      else {
        const execution: Execution = { state: 'RUNNING' };
        executions.set(id, execution);
        void twin.run(unloaded, date).then((count) => {
          counts.set(unloaded.target, count);
          execution.state = 'SUCCEEDED';
        });
      }
    } else {
      const counted = QUERIES.find((q) => sql!.startsWith(`SELECT count(*) FROM ${q.target} `))!;
      executions.set(id, { state: 'SUCCEEDED', count: counts.get(counted.target)! });
    }
    return { QueryExecutionId: id };
  });
  athena.on(GetQueryExecutionCommand).callsFake(async ({ QueryExecutionId }: { QueryExecutionId: string }) => {
    const e = executions.get(QueryExecutionId)!;
    return { QueryExecution: { QueryExecutionId, Status: { State: e.state, StateChangeReason: e.reason } } };
  });
  athena.on(GetQueryResultsCommand).callsFake(async ({ QueryExecutionId }: { QueryExecutionId: string }) => ({
    ResultSet: { Rows: [{ Data: [{ VarCharValue: '_col0' }] }, { Data: [{ VarCharValue: String(executions.get(QueryExecutionId)!.count) }] }] },
  }));
}

describe('daily batch faults on the AWS adapters', () => {
  const servers = useLocalAws();
  let sides = 0;
  afterEach(() => mockClient(AthenaClient).restore());

  /** A lake prefix and tables of its own, the catalog in the lake, and the day's events consumed. */
  async function side() {
    const [s3, dynamo] = [servers.s3(), servers.dynamo()];
    const name = `batch${++sides}`;
    const tables = { users: `${name}-users`, movies: `${name}-movies`, models: `${name}-models`, runs: `${name}-runs` };
    await createTables(dynamo, tables);
    const prefix = `${name}/`;
    const lake = new S3EventLake(s3.s3, s3.bucket, prefix);
    const features = new DynamoFeatureStore(dynamo.doc, tables);
    const models = new S3DynamoModelStore({ s3: s3.s3, bucket: s3.bucket, prefix, dynamo: dynamo.doc, table: tables.models });
    await lake.writeCatalog(demo.movies);
    const db = openDatabase(':memory:');
    const consume = createConsumeHandler({ lake, features, logger: recordingLogger() });
    for (const batch of new EmbeddedProducer(db).batches(demo.events.map(messageFor), 250, Date.UTC(2026, 10, 24, 12))) await consume(batch);
    db.close();

    const twin = new AthenaTwin(s3.s3, s3.bucket, prefix);
    const engine = new AthenaBatchSqlEngine({
      athena: new AthenaClient({ region: 'us-east-1' }),
      s3: s3.s3,
      workgroup: 'movierec',
      database: 'movierec',
      bucket: s3.bucket,
      prefix,
      pollMs: 1,
    });
    const batchLake = new S3BatchLake(s3.s3, s3.bucket, prefix, lake);
    const runs = new DynamoBatchRunLog(dynamo.doc, tables.runs);
    const handlers: BatchHandlers = {
      ResolveDate: createResolveDateHandler({ now }),
      BronzeToSilver: createBronzeToSilverHandler({ engine, lake: batchLake }),
      SilverFeatures: createSilverFeaturesHandler({ engine }),
      GoldModel: createGoldModelHandler({ lake: batchLake, models, ...DEFAULT_MODEL_QUALITY, trainEveryDays: DEFAULT_TRAIN_EVERY_DAYS }),
      Publish: createPublishHandler({ lake: batchLake, features, models, runs, now }),
      RecordFailure: createRecordFailureHandler({ runs, now }),
    };
    const run = (failure: (target: BatchQuery['target']) => string | undefined = () => undefined) => {
      fakeAthena(twin, prefix, failure);
      return runDailyBatch(handlers, { date: DAY }, { retryIntervalMs: 0 });
    };
    /** Silver, the active model and every online feature: what a run leaves. */
    const outputs = async () => {
      const version = await models.activeVersion();
      const users = Array.from({ length: 41 }, (_, i) => i + 1);
      return {
        silver: {
          interactions: await batchLake.readInteractions(DAY),
          users: await batchLake.readUserFeatures(DAY),
          movies: await batchLake.readMovieFeatures(DAY),
        },
        model: version && (await models.load(version)),
        profiles: await Promise.all(users.map((u) => features.getUserProfile(u))),
        movies: [...(await features.getMovieFeatures(demo.movies.map((m) => m.movieId)))].sort((a, b) => a[0] - b[0]),
        global: (await features.readSnapshot({ userIds: [], movieIds: [], pairs: [] })).global,
      };
    };
    const recorded = async () =>
      (
        await dynamo.doc.send(
          new QueryCommand({
            TableName: tables.runs,
            KeyConditionExpression: '#d = :d',
            ExpressionAttributeNames: { '#d': 'date' },
            ExpressionAttributeValues: { ':d': DAY },
          }),
        )
      ).Items!.map((i) => ({ status: i.status, error: i.error, cause: i.cause }));
    return { handlers, run, outputs, recorded };
  }

  let clean: unknown;
  async function cleanOutputs() {
    if (!clean) {
      const s = await side();
      expect((await s.run()).status).toBe('succeeded');
      clean = await s.outputs();
    }
    return clean;
  }

  it('an Athena query throttled once is retried by the state machine; the run ends as a clean run', async () => {
    const s = await side();
    let failed = false;
    const result = await s.run((target) => {
      if (target !== 'silver_user_features' || failed) return undefined;
      failed = true;
      return 'TooManyRequestsException: Rate exceeded';
    });
    expect(result.status).toBe('succeeded');
    expect(result.steps.filter((step) => step.state === 'SilverFeatures').map((step) => step.status)).toEqual(['failed', 'retried', 'succeeded']);
    expect(await s.outputs()).toEqual(await cleanOutputs());
  });

  it.each(QUERIES.map((q) => q.target))(
    'an Athena query failing for good (%s) fails the run, which is recorded; a re-run ends as a clean run',
    async (target) => {
      const s = await side();
      const reason = 'HIVE_BAD_DATA: Error parsing field value';
      const result = await s.run((t) => (t === target ? reason : undefined));
      expect(result.status).toBe('failed');
      expect(await s.recorded()).toEqual([{ status: 'failed', error: 'AthenaQueryFailed', cause: expect.stringContaining(reason) }]);
      expect((await s.outputs()).model).toBeUndefined();

      expect((await s.run()).status).toBe('succeeded');
      expect(await s.outputs()).toEqual(await cleanOutputs());
    },
  );

  it.each(['GoldModel', 'Publish'] as const)(
    '%s crashing after its work (a timeout) fails the run; a re-run ends as a clean run',
    async (step) => {
      const s = await side();
      const real = s.handlers[step] as (input: never) => Promise<unknown>;
      s.handlers[step] = async (input: never) => {
        await real(input);
        throw Object.assign(new Error('Task timed out after 900.00 seconds'), { name: 'Sandbox.Timedout' });
      };
      const failed = await s.run();
      expect(failed.status).toBe('failed');
      expect(await s.recorded()).toEqual([{ status: 'failed', error: 'Sandbox.Timedout', cause: expect.stringContaining('timed out') }]);

      s.handlers[step] = real;
      expect((await s.run()).status).toBe('succeeded');
      expect(await s.outputs()).toEqual(await cleanOutputs());
    },
  );
});
