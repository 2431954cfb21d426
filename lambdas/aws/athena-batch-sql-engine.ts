/**
 * The batch SQL engine on Athena: each statement's Athena dialect is UNLOADed as Snappy Parquet into
 * its silver table's partition for the date, after that prefix is emptied (UNLOAD refuses a prefix
 * that holds objects, and a re-run must replace, not add). Queries are polled with backoff and fail
 * with Athena's own message. The engine has a deadline, the step's own: a query still running then
 * is stopped, so that none outlives the function that waits for it; and before it empties a
 * partition, it stops any earlier query still writing there (a step that crashed, a concurrent run).
 * A partition's receipt is removed before it is emptied and written after its count: only a
 * partition whose statement ran to the end has one.
 */
import {
  BatchGetQueryExecutionCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  ListQueryExecutionsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena';
import { DeleteObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { TRANSIENT_ERROR } from '../core/transient-error';
import { silverPartitionKey, silverReceiptKey } from '../core/lake/lake-layout';
import { ALL_BRONZE, type BatchParams, type BatchQuery, type BatchSqlEngine } from '../core/ports';

export interface AthenaEngineOptions {
  athena: AthenaClient;
  s3: S3Client;
  workgroup: string;
  /** The Glue database of the lake's tables. */
  database: string;
  bucket: string;
  /** Key prefix of the lake inside the bucket: '' or ending with '/'. */
  prefix?: string;
  /** The time the engine's queries have, from its creation: past it, a query is stopped. Default: 10 minutes. */
  timeoutMs?: number;
  /** First pause between polls; it doubles up to 5 s. Default: 500 ms. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const MAX_POLL_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** How many of the workgroup's latest queries are looked at for earlier ones still writing. */
const RECENT_QUERIES = 50;
/** Athena failures worth a retry of the step: capacity and throttling, not bad SQL. */
const TRANSIENT_REASON = /TooManyRequests|Throttling|SlowDown|rate exceeded|INTERNAL_ERROR|capacity/i;

export class AthenaBatchSqlEngine implements BatchSqlEngine {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly deadline: number;

  constructor(private readonly options: AthenaEngineOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.deadline = this.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  async run(query: BatchQuery, date: string, params: BatchParams = {}): Promise<number> {
    const { s3, bucket } = this.options;
    const lakePrefix = this.options.prefix ?? '';
    const prefix = `${lakePrefix}${silverPartitionKey(query.target, date)}`;
    const receipt = `${lakePrefix}${silverReceiptKey(query.target, date)}`;
    const destination = `s3://${bucket}/${prefix}`;
    await this.stopEarlierQueries(destination);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: receipt }));
    await this.emptyPrefix(prefix);
    let select = query.athena.replaceAll('{dt}', date).replaceAll('{from}', params.from ?? ALL_BRONZE);
    if (params.base !== undefined) select = select.replaceAll('{base}', params.base);
    if (select.includes('{base}')) throw new Error(`the ${query.target} statement merges onto an earlier date: it needs params.base`);
    await this.execute(`UNLOAD (${select}) TO '${destination}' WITH (format = 'PARQUET', compression = 'SNAPPY')`);
    const id = await this.execute(`SELECT count(*) FROM ${query.target} WHERE dt = '${date}'`);
    const result = await this.options.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    // Row 0 is the header.
    const rows = Number(result.ResultSet?.Rows?.[1]?.Data?.[0]?.VarCharValue ?? NaN);
    const body = JSON.stringify({ table: query.target, date, rows, ...params });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: receipt, Body: body, ContentType: 'application/json' }));
    return rows;
  }

  /** Runs one statement to completion; returns its execution id. */
  private async execute(sql: string): Promise<string> {
    const { athena } = this.options;
    const started = await athena.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.options.workgroup,
        QueryExecutionContext: { Database: this.options.database },
      }),
    );
    const id = started.QueryExecutionId!;
    let pause = this.options.pollMs ?? 500;
    for (;;) {
      const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') return id;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = QueryExecution?.Status?.StateChangeReason ?? `query ${state.toLowerCase()}`;
        throw namedError(TRANSIENT_REASON.test(reason) ? TRANSIENT_ERROR : 'AthenaQueryFailed', `Athena query ${id}: ${reason}`);
      }
      if (this.now() >= this.deadline) {
        await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
        throw namedError(
          'AthenaTimeout',
          `Athena query ${id} was still running when the step's time for its queries (${Math.round((this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s) ran out, and was stopped`,
        );
      }
      await this.sleep(Math.min(pause, Math.max(0, this.deadline - this.now())));
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
  }

  /** Stops the workgroup's recent queries that still write to `destination`, and waits until they have ended. */
  private async stopEarlierQueries(destination: string): Promise<void> {
    const { athena, workgroup } = this.options;
    const listed = await athena.send(new ListQueryExecutionsCommand({ WorkGroup: workgroup, MaxResults: RECENT_QUERIES }));
    const ids = listed?.QueryExecutionIds ?? [];
    if (ids.length === 0) return;
    const target = `TO '${destination}'`;
    let running = await this.runningInto(ids, target);
    for (const id of running) await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    let pause = this.options.pollMs ?? 500;
    while (running.length > 0) {
      if (this.now() >= this.deadline) throw namedError(TRANSIENT_ERROR, `earlier Athena queries into ${destination} did not stop: ${running.join(', ')}`);
      await this.sleep(pause);
      pause = Math.min(pause * 2, MAX_POLL_MS);
      running = await this.runningInto(running, target);
    }
  }

  private async runningInto(ids: string[], target: string): Promise<string[]> {
    const got = await this.options.athena.send(new BatchGetQueryExecutionCommand({ QueryExecutionIds: ids }));
    return (got?.QueryExecutions ?? [])
      .filter((q) => (q.Status?.State === 'QUEUED' || q.Status?.State === 'RUNNING') && q.Query?.includes(target))
      .map((q) => q.QueryExecutionId!);
  }

  private async emptyPrefix(prefix: string): Promise<void> {
    const { s3, bucket } = this.options;
    let token: string | undefined;
    do {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      const keys = (listed.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
      token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
    } while (token);
  }
}

function namedError(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}
