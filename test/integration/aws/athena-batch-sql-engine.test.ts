import {
  AthenaClient,
  BatchGetQueryExecutionCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  ListQueryExecutionsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AthenaBatchSqlEngine } from '../../../lambdas/aws/athena-batch-sql-engine';
import { SILVER_RATINGS, SILVER_RATINGS_MERGE } from '../../../lambdas/core/lake/batch-queries';
import { TRANSIENT_ERROR } from '../../../lambdas/core/transient-error';
import { startS3, type LocalS3 } from '../../helpers/s3rver';

/** Athena has no local server: it is mocked. S3, which the engine empties before UNLOAD, is s3rver. */
describe('AthenaBatchSqlEngine', () => {
  const athenaMock = mockClient(AthenaClient);
  let local: LocalS3;
  let slept: number[];
  let clock: number;

  beforeAll(async () => {
    local = await startS3();
  });
  afterAll(async () => {
    await local.stop();
  });
  beforeEach(() => {
    athenaMock.reset();
    slept = [];
    clock = 0;
  });

  const engine = (timeoutMs = 60_000) =>
    new AthenaBatchSqlEngine({
      athena: new AthenaClient({ region: 'us-east-1' }),
      s3: local.s3,
      workgroup: 'movierec',
      database: 'movierec_lake',
      bucket: local.bucket,
      prefix: 'lake/',
      timeoutMs,
      pollMs: 100,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
      now: () => clock,
    });

  it('empties the partition, UNLOADs the query into it, polls with backoff and returns the row count', async () => {
    const stale = 'lake/silver/ratings/dt=2026-11-24/old-run.parquet';
    await local.s3.send(new PutObjectCommand({ Bucket: local.bucket, Key: stale, Body: 'x' }));
    athenaMock
      .on(StartQueryExecutionCommand)
      .resolvesOnce({ QueryExecutionId: 'unload-1' })
      .resolvesOnce({ QueryExecutionId: 'count-1' });
    athenaMock
      .on(GetQueryExecutionCommand, { QueryExecutionId: 'unload-1' })
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athenaMock.on(GetQueryExecutionCommand, { QueryExecutionId: 'count-1' }).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athenaMock.on(GetQueryResultsCommand).resolves({
      ResultSet: { Rows: [{ Data: [{ VarCharValue: '_col0' }] }, { Data: [{ VarCharValue: '75703' }] }] },
    });

    expect(await engine().run(SILVER_RATINGS, '2026-11-24', { from: '2026-11-02' })).toBe(75703);

    const listed = await local.s3.send(new ListObjectsV2Command({ Bucket: local.bucket, Prefix: 'lake/silver/ratings/' }));
    expect(listed.Contents ?? []).toEqual([]);
    // The receipt says the partition is whole: a later run may merge onto it.
    const receipt = await local.s3.send(new GetObjectCommand({ Bucket: local.bucket, Key: 'lake/silver/_receipts/ratings/dt=2026-11-24.json' }));
    expect(JSON.parse(await receipt.Body!.transformToString())).toEqual({ table: 'silver_ratings', date: '2026-11-24', rows: 75703, from: '2026-11-02' });
    const [unload, count] = athenaMock.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(unload!.QueryString).toMatch(/^UNLOAD \(/);
    // Bounded below by the first bronze date, Athena lists no partition before it.
    expect(unload!.QueryString).toContain("WHERE dt >= '2026-11-02' AND dt <= '2026-11-24'");
    expect(unload!.QueryString).toContain(
      "TO 's3://movierec-test/lake/silver/ratings/dt=2026-11-24/' WITH (format = 'PARQUET', compression = 'SNAPPY')",
    );
    expect(unload).toMatchObject({ WorkGroup: 'movierec', QueryExecutionContext: { Database: 'movierec_lake' } });
    expect(count!.QueryString).toBe("SELECT count(*) FROM silver_ratings WHERE dt = '2026-11-24'");
    expect(slept).toEqual([100, 200, 400]);
  });

  it('merges onto the base date given, and refuses the merge without one', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athenaMock.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athenaMock.on(GetQueryResultsCommand).resolves({ ResultSet: { Rows: [{ Data: [{ VarCharValue: '_col0' }] }, { Data: [{ VarCharValue: '9' }] }] } });
    expect(await engine().run(SILVER_RATINGS_MERGE, '2026-11-25', { base: '2026-11-24' })).toBe(9);
    const unload = athenaMock.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input.QueryString!;
    expect(unload).toContain("FROM silver_ratings WHERE dt = '2026-11-24'");
    expect(unload).toContain("FROM bronze_events WHERE dt >= '2026-11-24' AND dt <= '2026-11-25'");
    athenaMock.resetHistory();
    await expect(engine().run(SILVER_RATINGS_MERGE, '2026-11-25')).rejects.toThrow('the silver_ratings statement merges onto an earlier date: it needs params.base');
    expect(athenaMock.commandCalls(StartQueryExecutionCommand)).toEqual([]);
  });

  it("fails with the query's own error message, and leaves the partition without a receipt", async () => {
    const receipt = 'lake/silver/_receipts/ratings/dt=2026-11-24.json';
    await local.s3.send(new PutObjectCommand({ Bucket: local.bucket, Key: receipt, Body: '{"rows":1}' }));
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athenaMock.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'FAILED', StateChangeReason: "COLUMN_NOT_FOUND: line 3:7: Column 'rating' cannot be resolved" } },
    });
    await expect(engine().run(SILVER_RATINGS, '2026-11-24')).rejects.toMatchObject({
      name: 'AthenaQueryFailed',
      message: "Athena query q-1: COLUMN_NOT_FOUND: line 3:7: Column 'rating' cannot be resolved",
    });
    const left = await local.s3.send(new ListObjectsV2Command({ Bucket: local.bucket, Prefix: receipt }));
    expect(left.Contents ?? []).toEqual([]);
  });

  it('marks throttling as transient, so that the workflow retries the step', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athenaMock.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'TooManyRequestsException: Rate exceeded' } },
    });
    await expect(engine().run(SILVER_RATINGS, '2026-11-24')).rejects.toMatchObject({ name: TRANSIENT_ERROR });
  });

  it("stops a query still running when the step's time for its queries runs out, waiting no longer than that", async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athenaMock.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athenaMock.on(StopQueryExecutionCommand).resolves({});
    await expect(engine(3_000).run(SILVER_RATINGS, '2026-11-24')).rejects.toMatchObject({ name: 'AthenaTimeout' });
    expect(athenaMock.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: 'q-3' }]);
    expect(clock).toBe(3_000);
    expect(slept).toEqual([100, 200, 400, 800, 1_500]);
  });

  it('gives its queries one deadline: a later query has only what the earlier ones left', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolvesOnce({ QueryExecutionId: 'unload-4' }).resolvesOnce({ QueryExecutionId: 'count-4' });
    athenaMock
      .on(GetQueryExecutionCommand, { QueryExecutionId: 'unload-4' })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athenaMock.on(GetQueryExecutionCommand, { QueryExecutionId: 'count-4' }).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    await expect(engine(1_000).run(SILVER_RATINGS, '2026-11-24')).rejects.toMatchObject({ name: 'AthenaTimeout', message: expect.stringContaining('count-4') });
    expect(clock).toBe(1_000);
  });

  it('stops an earlier query still writing into the partition before emptying it, and waits for it to end', async () => {
    const target = "TO 's3://movierec-test/lake/silver/ratings/dt=2026-11-24/'";
    athenaMock.on(ListQueryExecutionsCommand).resolves({ QueryExecutionIds: ['old-1', 'old-2', 'other-1'] });
    athenaMock
      .on(BatchGetQueryExecutionCommand)
      .resolvesOnce({
        QueryExecutions: [
          { QueryExecutionId: 'old-1', Query: `UNLOAD (SELECT 1) ${target} WITH (format = 'PARQUET')`, Status: { State: 'RUNNING' } },
          { QueryExecutionId: 'old-2', Query: `UNLOAD (SELECT 1) ${target} WITH (format = 'PARQUET')`, Status: { State: 'SUCCEEDED' } },
          { QueryExecutionId: 'other-1', Query: "UNLOAD (SELECT 1) TO 's3://movierec-test/lake/silver/ratings/dt=2026-11-23/' WITH (format = 'PARQUET')", Status: { State: 'RUNNING' } },
        ],
      })
      .resolvesOnce({ QueryExecutions: [{ QueryExecutionId: 'old-1', Query: `UNLOAD (SELECT 1) ${target}`, Status: { State: 'RUNNING' } }] })
      .resolves({ QueryExecutions: [{ QueryExecutionId: 'old-1', Query: `UNLOAD (SELECT 1) ${target}`, Status: { State: 'CANCELLED' } }] });
    athenaMock.on(StopQueryExecutionCommand).resolves({});
    athenaMock.on(StartQueryExecutionCommand).resolvesOnce({ QueryExecutionId: 'unload-5' }).resolvesOnce({ QueryExecutionId: 'count-5' });
    athenaMock.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athenaMock.on(GetQueryResultsCommand).resolves({ ResultSet: { Rows: [{ Data: [{ VarCharValue: '_col0' }] }, { Data: [{ VarCharValue: '3' }] }] } });

    expect(await engine().run(SILVER_RATINGS, '2026-11-24')).toBe(3);
    expect(athenaMock.commandCalls(ListQueryExecutionsCommand)[0]!.args[0].input).toEqual({ WorkGroup: 'movierec', MaxResults: 50 });
    expect(athenaMock.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: 'old-1' }]);
    // The new UNLOAD starts only once the old one has ended.
    expect(athenaMock.commandCalls(BatchGetQueryExecutionCommand)).toHaveLength(3);
    expect(slept).toEqual([100, 200]);
  });
});
