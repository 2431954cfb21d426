/**
 * Athena as the batch's functions use it, where no Athena runs. Query executions are started,
 * polled, stopped and listed through the service's JSON API; each statement is first checked as
 * Athena would (Trino grammar, UNLOAD's documented form, an empty destination), then run by its
 * SQLite twin. Like Athena, it acts with the caller's permissions: the Glue tables it reads, every
 * S3 object it lists, reads and writes (the tables, the UNLOAD destination, the workgroup's result
 * location) are checked against the caller's role.
 */
import { GetObjectCommand, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { parquetRowCount } from '../lambdas/aws/parquet';
import type { BatchParams, BatchQuery } from '../lambdas/core/ports';
import { checkStatement, projectedPartitions, type DateProjection } from './athena-sql';
import type { Authorizer, Principal } from './authorizer';
import { keys, unloadByTwin, type LakeLocation } from './sqlite-twin';
import type { DeployedTemplate } from './template';

export interface StatementRecord {
  principal: string;
  kind: 'unload' | 'select';
  state: ExecutionState;
  reason?: string;
  /** Partition prefixes Athena would list for the statement's projected tables. */
  partitions: number;
  /** Those of them from the first partition that holds data. */
  needed: number;
  /**
   * Bytes of the objects it read: what Athena bills as scanned (it reads compressed JSON whole; a
   * count of a Parquet partition reads the files' footers only, counted as nothing here).
   */
  scannedBytes: number;
  errors: string[];
}

type ExecutionState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

interface Execution {
  id: string;
  sql: string;
  workgroup: Workgroup;
  database: string;
  principal: Principal;
  state: ExecutionState;
  reason?: string;
  submitted: number;
  completed?: number;
  rows: string[][];
}

interface Workgroup {
  name: string;
  arn: string;
  output: { bucket: string; key: string };
}

interface GlueTable {
  name: string;
  database: string;
  location: { bucket: string; key: string };
  projection?: DateProjection;
}

export class AthenaError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AthenaEmulatorOptions {
  template: DeployedTemplate;
  authorizer: Authorizer;
  /** An S3 client that acts as the principal, for what Athena reads and writes for it. */
  s3For: (principal: Principal) => S3Client;
  /** The batch statements whose SQLite twins run here. */
  queries: readonly BatchQuery[];
  /** Today, for `NOW` in partition projections. */
  today: () => string;
}

export class AthenaEmulator {
  readonly statements: StatementRecord[] = [];
  private readonly executions = new Map<string, Execution>();
  private readonly workgroups = new Map<string, Workgroup>();
  private readonly tables: GlueTable[] = [];
  private readonly databases = new Set<string>();
  private readonly work = new Set<Promise<void>>();

  constructor(private readonly options: AthenaEmulatorOptions) {
    const t = options.template;
    for (const id of t.ofType('AWS::Athena::WorkGroup')) {
      const name = t.property<string>(id, 'Name');
      const config = t.property<{ ResultConfiguration?: { OutputLocation?: string } }>(id, 'WorkGroupConfiguration');
      const output = parseS3Url(config.ResultConfiguration?.OutputLocation ?? '');
      this.workgroups.set(name, { name, arn: t.arn('athena', `workgroup/${name}`), output });
    }
    for (const id of t.ofType('AWS::Glue::Database')) this.databases.add(t.property<{ Name: string }>(id, 'DatabaseInput').Name);
    for (const id of t.ofType('AWS::Glue::Table')) {
      const input = t.property<{ Name: string; Parameters?: Record<string, string>; PartitionKeys?: { Name: string }[]; StorageDescriptor: { Location: string } }>(id, 'TableInput');
      const p = input.Parameters ?? {};
      const projection =
        p['projection.enabled'] === 'true' && p['projection.dt.type'] === 'date'
          ? { range: p['projection.dt.range']!, perDay: p['projection.hour.type'] === 'integer' ? hours(p['projection.hour.range']!) : 1 }
          : undefined;
      this.tables.push({
        name: input.Name,
        database: t.property<string>(id, 'DatabaseName'),
        location: parseS3Url(input.StorageDescriptor.Location),
        ...(projection ? { projection } : {}),
      });
    }
  }

  /** One call of Athena's API by a principal; the answer's body, or an AthenaError. */
  async handle(operation: string, input: Record<string, unknown>, principal: Principal): Promise<unknown> {
    switch (operation) {
      case 'StartQueryExecution':
        return this.start(input, principal);
      case 'GetQueryExecution': {
        const e = this.execution(input.QueryExecutionId, principal, 'athena:GetQueryExecution');
        return { QueryExecution: this.describe(e) };
      }
      case 'GetQueryResults':
        return this.results(this.execution(input.QueryExecutionId, principal, 'athena:GetQueryResults'), principal);
      case 'StopQueryExecution': {
        const e = this.execution(input.QueryExecutionId, principal, 'athena:StopQueryExecution');
        if (e.state === 'QUEUED' || e.state === 'RUNNING') this.finish(e, 'CANCELLED', 'Query was cancelled by the user');
        return {};
      }
      case 'ListQueryExecutions': {
        const workgroup = this.workgroup(input.WorkGroup, principal, 'athena:ListQueryExecutions');
        const ids = [...this.executions.values()].filter((e) => e.workgroup === workgroup).reverse().map((e) => e.id);
        return { QueryExecutionIds: ids.slice(0, Number(input.MaxResults ?? 50)) };
      }
      case 'BatchGetQueryExecution': {
        const ids = (input.QueryExecutionIds as string[] | undefined) ?? [];
        return { QueryExecutions: ids.map((id) => this.describe(this.execution(id, principal, 'athena:BatchGetQueryExecution'))), UnprocessedQueryExecutionIds: [] };
      }
      default:
        throw new AthenaError('InvalidRequestException', `the rehearsal's Athena does not implement ${operation}`);
    }
  }

  /** Waits for the statements under way. */
  async settle(): Promise<void> {
    while (this.work.size > 0) await Promise.all([...this.work]);
  }

  private start(input: Record<string, unknown>, principal: Principal): { QueryExecutionId: string } {
    const workgroup = this.workgroup(input.WorkGroup ?? 'primary', principal, 'athena:StartQueryExecution');
    const database = (input.QueryExecutionContext as { Database?: string } | undefined)?.Database ?? 'default';
    if (typeof input.QueryString !== 'string' || input.QueryString.trim() === '') throw new AthenaError('InvalidRequestException', 'QueryString is required');
    const e: Execution = { id: randomUUID(), sql: input.QueryString, workgroup, database, principal, state: 'QUEUED', submitted: Date.now(), rows: [] };
    this.executions.set(e.id, e);
    const run = this.run(e).finally(() => this.work.delete(run));
    this.work.add(run);
    return { QueryExecutionId: e.id };
  }

  private async run(e: Execution): Promise<void> {
    await Promise.resolve();
    if (e.state !== 'QUEUED') return;
    e.state = 'RUNNING';
    const checked = checkStatement(e.sql);
    const tables = this.tables.filter((t) => t.database === e.database && new RegExp(`\\b${t.name}\\b`).test(checked.select));
    const record: StatementRecord = { principal: e.principal.name, kind: checked.kind, state: 'RUNNING', partitions: 0, needed: 0, scannedBytes: 0, errors: checked.errors };
    this.statements.push(record);
    try {
      if (checked.errors.length > 0) throw new AthenaError('SYNTAX_ERROR', checked.errors.join('; '));
      if (!this.databases.has(e.database)) throw new AthenaError('SCHEMA_NOT_FOUND', `Schema '${e.database}' does not exist`);
      this.authorizeGlue(e, tables, checked.destination);
      const s3 = this.options.s3For(e.principal);
      for (const table of tables) {
        if (!table.projection) continue;
        const today = this.options.today();
        const first = await this.firstPartition(s3, table);
        // Each branch of a UNION ALL bounds the dates of the tables it reads by its own predicates.
        for (const branch of checked.select.split(/\bUNION\s+ALL\b/i).filter((b) => new RegExp(`\\b${table.name}\\b`).test(b))) {
          record.partitions += projectedPartitions(table.projection, branch, today);
          if (first) record.needed += projectedPartitions({ ...table.projection, range: `${first},NOW` }, branch, today);
        }
      }
      if (checked.kind === 'unload') await this.unload(e, s3, checked.select, parseS3Url(checked.destination!), record);
      else await this.select(e, s3, checked.select, tables);
      this.finish(e, 'SUCCEEDED');
    } catch (err) {
      this.finish(e, 'FAILED', failureReason(err));
    }
    record.state = e.state;
    if (e.reason !== undefined) record.reason = e.reason;
  }

  /**
   * Athena reads a table's definition from Glue with the caller's permissions (catalog, database and
   * table), and asks where each bucket it reads and writes lives.
   */
  private authorizeGlue(e: Execution, tables: GlueTable[], destination?: string): void {
    const t = this.options.template;
    const catalog = t.arn('glue', 'catalog');
    const database = t.arn('glue', `database/${e.database}`);
    const buckets = new Set([e.workgroup.output.bucket, ...tables.map((table) => table.location.bucket), ...(destination ? [parseS3Url(destination).bucket] : [])]);
    const requests = [
      ...[catalog, database].map((resource) => ({ action: 'glue:GetDatabase', resource })),
      ...tables.flatMap((table) => [catalog, database, t.arn('glue', `table/${e.database}/${table.name}`)].map((resource) => ({ action: 'glue:GetTable', resource }))),
      ...[...buckets].map((bucket) => ({ action: 's3:GetBucketLocation', resource: `arn:${t.place.partition}:s3:::${bucket}` })),
    ];
    for (const request of requests) {
      if (this.options.authorizer.check(e.principal, request, 'Athena') !== 'allowed') {
        throw new AthenaError('AccessDeniedException', `Insufficient permissions to execute the query. ${notAuthorized(e.principal, request.action, request.resource)}`);
      }
    }
  }

  private async unload(e: Execution, s3: S3Client, select: string, destination: { bucket: string; key: string }, record: StatementRecord): Promise<void> {
    const match = this.twinOf(select);
    const lake: LakeLocation = { s3, bucket: destination.bucket, prefix: '' };
    if ((await keys(lake, destination.key)).length > 0) {
      throw new AthenaError('HIVE_PATH_ALREADY_EXISTS', `Target directory for table already exists: s3://${destination.bucket}/${destination.key}`);
    }
    // Athena reads the lake where the destination's lake lives: the key up to the silver folder.
    const prefix = destination.key.slice(0, destination.key.indexOf('silver/'));
    if (e.state !== 'RUNNING') return;
    const onRead = (bytes: number) => (record.scannedBytes += bytes);
    await unloadByTwin({ s3, bucket: destination.bucket, prefix, onRead }, match.query, match.date, destination.key, match.params);
    await this.writeResult(e, s3, `${e.id}-manifest.csv`, '');
  }

  /** The earliest `dt` partition that holds an object, as a listing of the table's location finds it. */
  private async firstPartition(s3: S3Client, table: GlueTable): Promise<string | undefined> {
    const dates = (await keys({ s3, bucket: table.location.bucket, prefix: '' }, table.location.key)).map((k) => /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(k)?.[1]);
    return dates.filter((d): d is string => d !== undefined).sort()[0];
  }

  /** The batch's row counts: `SELECT count(*) FROM <silver table> WHERE dt = '<date>'`, from the partition's files. */
  private async select(e: Execution, s3: S3Client, select: string, tables: GlueTable[]): Promise<void> {
    const m = /^\s*SELECT\s+count\(\*\)\s+FROM\s+(\w+)\s+WHERE\s+dt\s*=\s*'(\d{4}-\d{2}-\d{2})'\s*$/i.exec(select);
    const table = m && tables.find((t) => t.name === m[1]);
    if (!m || !table) throw new AthenaError('NOT_SUPPORTED', `the rehearsal has no SQLite twin for: ${select.trim().slice(0, 120)}`);
    const lake = { s3, bucket: table.location.bucket, prefix: '' };
    let count = 0;
    for (const key of await keys(lake, `${table.location.key}dt=${m[2]}/`)) {
      const object = await s3.send(new GetObjectCommand({ Bucket: lake.bucket, Key: key }));
      count += parquetRowCount(await object.Body!.transformToByteArray());
    }
    e.rows = [['_col0'], [String(count)]];
    await this.writeResult(e, s3, `${e.id}.csv`, e.rows.map((r) => r.map((v) => `"${v}"`).join(',')).join('\n'));
  }

  /** A batch statement and its parameters, from the SELECT the engine sent. */
  private twinOf(select: string): { query: BatchQuery; date: string; params: BatchParams } {
    const day = '(\\d{4}-\\d{2}-\\d{2})';
    for (const query of this.options.queries) {
      // A placeholder may appear more than once: its first place captures, the others match the same text.
      let source = escape(query.athena.trim());
      for (const name of ['dt', 'from', 'base']) {
        const placeholder = `\\{${name}\\}`;
        source = source.replace(placeholder, day.replace('(', `(?<${name}>`)).replaceAll(placeholder, `\\k<${name}>`);
      }
      const m = new RegExp(`^${source}$`).exec(select.trim());
      const { dt, from, base } = m?.groups ?? {};
      if (dt) return { query, date: dt, params: { ...(from ? { from } : {}), ...(base ? { base } : {}) } };
    }
    throw new AthenaError('NOT_SUPPORTED', `the rehearsal has no SQLite twin for: ${select.trim().slice(0, 120)}`);
  }

  private async writeResult(e: Execution, s3: S3Client, name: string, body: string): Promise<void> {
    const { bucket, key } = e.workgroup.output;
    const bytes = Buffer.from(body);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${key}${name}`, Body: bytes, ContentLength: bytes.length }));
  }

  private results(e: Execution, principal: Principal): unknown {
    if (e.state !== 'SUCCEEDED') throw new AthenaError('InvalidRequestException', `Query has not yet finished. Current state: ${e.state}`);
    const { bucket, key } = e.workgroup.output;
    const resource = `arn:${this.options.template.place.partition}:s3:::${bucket}/${key}${e.id}.csv`;
    if (this.options.authorizer.check(principal, { action: 's3:GetObject', resource }, 'Athena') !== 'allowed') {
      throw new AthenaError('AccessDeniedException', notAuthorized(principal, 's3:GetObject', resource));
    }
    return {
      ResultSet: {
        Rows: e.rows.map((r) => ({ Data: r.map((VarCharValue) => ({ VarCharValue })) })),
        ResultSetMetadata: { ColumnInfo: (e.rows[0] ?? []).map((Name) => ({ Name, Label: Name, Type: 'bigint' })) },
      },
      UpdateCount: 0,
    };
  }

  private describe(e: Execution): unknown {
    return {
      QueryExecutionId: e.id,
      Query: e.sql,
      StatementType: 'DML',
      WorkGroup: e.workgroup.name,
      QueryExecutionContext: { Database: e.database },
      ResultConfiguration: { OutputLocation: `s3://${e.workgroup.output.bucket}/${e.workgroup.output.key}${e.id}.csv` },
      Status: {
        State: e.state,
        ...(e.reason ? { StateChangeReason: e.reason } : {}),
        SubmissionDateTime: e.submitted / 1000,
        ...(e.completed ? { CompletionDateTime: e.completed / 1000 } : {}),
      },
      EngineVersion: { SelectedEngineVersion: 'Athena engine version 3', EffectiveEngineVersion: 'Athena engine version 3' },
    };
  }

  private execution(id: unknown, principal: Principal, action: string): Execution {
    const e = typeof id === 'string' ? this.executions.get(id) : undefined;
    if (!e) throw new AthenaError('InvalidRequestException', `QueryExecution ${String(id)} was not found`);
    this.authorize(principal, action, e.workgroup);
    return e;
  }

  private workgroup(name: unknown, principal: Principal, action: string): Workgroup {
    const workgroup = this.workgroups.get(String(name));
    if (!workgroup) throw new AthenaError('InvalidRequestException', `WorkGroup ${String(name)} is not found.`);
    this.authorize(principal, action, workgroup);
    return workgroup;
  }

  private authorize(principal: Principal, action: string, workgroup: Workgroup): void {
    if (this.options.authorizer.check(principal, { action, resource: workgroup.arn }) !== 'allowed') {
      throw new AthenaError('AccessDeniedException', notAuthorized(principal, action, workgroup.arn));
    }
  }

  private finish(e: Execution, state: ExecutionState, reason?: string): void {
    e.state = state;
    e.completed = Date.now();
    if (reason !== undefined) e.reason = reason;
  }
}

export function notAuthorized(principal: Principal, action: string, resource: string): string {
  return `User: ${principal.roleArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
}

function failureReason(err: unknown): string {
  if (err instanceof AthenaError) return `${err.type}: ${err.message}`;
  if (err instanceof S3ServiceException) return `Permission denied on S3 path: ${err.message}`;
  return String(err);
}

export function parseS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  if (!m) throw new AthenaError('InvalidRequestException', `not an S3 location: ${url}`);
  return { bucket: m[1]!, key: m[2]! };
}

function hours(range: string): number {
  const [from, to] = range.split(',').map(Number) as [number, number];
  return to - from + 1;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
