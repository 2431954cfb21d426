/**
 * The batch SQL engine on Athena: each statement's Athena dialect is UNLOADed as Snappy Parquet into
 * its silver table's partition for the date, after that prefix is emptied (UNLOAD refuses a prefix
 * that holds objects, and a re-run must replace, not add). Queries are polled with backoff, fail
 * with Athena's own message, and are stopped when they run past the timeout.
 */
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena';
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { TRANSIENT_ERROR } from '../core/daily-batch-workflow';
import { silverPartitionKey } from '../core/lake-layout';
import type { BatchQuery, BatchSqlEngine } from '../core/ports';

export interface AthenaEngineOptions {
  athena: AthenaClient;
  s3: S3Client;
  workgroup: string;
  /** The Glue database of the lake's tables. */
  database: string;
  bucket: string;
  /** Key prefix of the lake inside the bucket: '' or ending with '/'. */
  prefix?: string;
  /** Give up on a query (and stop it) after this long. Default: 10 minutes. */
  timeoutMs?: number;
  /** First pause between polls; it doubles up to 5 s. Default: 500 ms. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const MAX_POLL_MS = 5_000;
/** Athena failures worth a retry of the step: capacity and throttling, not bad SQL. */
const TRANSIENT_REASON = /TooManyRequests|Throttling|SlowDown|rate exceeded|INTERNAL_ERROR|capacity/i;

export class AthenaBatchSqlEngine implements BatchSqlEngine {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: AthenaEngineOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  async run(query: BatchQuery, date: string): Promise<number> {
    const prefix = `${this.options.prefix ?? ''}${silverPartitionKey(query.target, date)}`;
    await this.emptyPrefix(prefix);
    const select = query.athena.replaceAll('{dt}', date);
    await this.execute(
      `UNLOAD (${select}) TO 's3://${this.options.bucket}/${prefix}' WITH (format = 'PARQUET', compression = 'SNAPPY')`,
    );
    const id = await this.execute(`SELECT count(*) FROM ${query.target} WHERE dt = '${date}'`);
    const result = await this.options.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    // Row 0 is the header.
    return Number(result.ResultSet?.Rows?.[1]?.Data?.[0]?.VarCharValue ?? NaN);
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
    const deadline = this.now() + (this.options.timeoutMs ?? 10 * 60_000);
    let pause = this.options.pollMs ?? 500;
    for (;;) {
      const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') return id;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = QueryExecution?.Status?.StateChangeReason ?? `query ${state.toLowerCase()}`;
        throw namedError(TRANSIENT_REASON.test(reason) ? TRANSIENT_ERROR : 'AthenaQueryFailed', `Athena query ${id}: ${reason}`);
      }
      if (this.now() >= deadline) {
        await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
        throw namedError('AthenaTimeout', `Athena query ${id} ran longer than ${this.options.timeoutMs ?? 600_000} ms and was stopped`);
      }
      await this.sleep(pause);
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
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
