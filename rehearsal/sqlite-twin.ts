/**
 * Athena's part of the batch where no Athena runs: a statement's SQLite twin over what the lake
 * holds in S3. It reads only what the statement reads (bronze events from its first date to its
 * date, listed hour partition by hour partition as Athena lists a projected table; the catalog; a
 * date's silver ratings), through the S3 client it is given, so that whose permissions it reads with
 * is the caller's choice; runs the SQLite dialect; and writes the rows as the Parquet file Athena's
 * UNLOAD writes (the types of SILVER_COLUMNS, a file name of Athena's kind).
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { parquetRowCount, readParquetChunks } from '../lambdas/aws/parquet';
import { CATALOG_KEY, movieOfCatalogLine, parseLakeObjectKey, silverPartitionKey, type BronzeLine, type CatalogLine } from '../lambdas/core/lake/lake-layout';
import { SILVER_COLUMNS, type LakeColumnType } from '../lambdas/core/lake/lake-tables';
import type { BatchParams, BatchQuery } from '../lambdas/core/ports';
import { openDatabase, type Db } from '../local/sqlite/database';
import { SqliteBatchSqlEngine } from '../local/sqlite/sqlite-batch-sql-engine';
import { SqliteEventLake } from '../local/sqlite/sqlite-event-lake';
import { SqliteFeatureStore } from '../local/sqlite/sqlite-feature-store';

export interface LakeLocation {
  s3: S3Client;
  bucket: string;
  /** Key prefix of the lake: '' or ending with '/'. */
  prefix: string;
  /** Told the size of each object read: what Athena scans. */
  onRead?: (bytes: number) => void;
}

const PARQUET_TYPES: Record<LakeColumnType, 'INT32' | 'INT64' | 'DOUBLE' | 'STRING'> = {
  int: 'INT32',
  bigint: 'INT64',
  double: 'DOUBLE',
  string: 'STRING',
};

/**
 * Runs `query` for `date` (with the dates of `params`) by its SQLite twin and writes its rows under
 * `destination` (a key prefix ending with '/'), as one Parquet file; no rows, no file, as with
 * UNLOAD. Returns the rows.
 */
export async function unloadByTwin(lake: LakeLocation, query: BatchQuery, date: string, destination: string, params: BatchParams = {}): Promise<number> {
  const db = openDatabase(':memory:');
  try {
    await load(db, lake, query, date, params);
    const count = await new SqliteBatchSqlEngine(db).run(query, date, params);
    const names = SILVER_COLUMNS[query.target].map((c) => c.name);
    const columns: unknown[][] = names.map(() => []);
    for (const row of db.prepare(`SELECT ${names.join(', ')} FROM ${query.target} WHERE dt = ?`).raw().iterate(date) as Iterable<unknown[]>) {
      for (const [i, value] of row.entries()) columns[i]!.push(value);
    }
    if (count > 0) {
      await lake.s3.send(
        new PutObjectCommand({
          Bucket: lake.bucket,
          Key: `${destination}${date.replaceAll('-', '')}_000000_00000_${randomUUID()}`,
          Body: silverParquetColumns(query.target, columns),
        }),
      );
    }
    return count;
  } finally {
    db.close();
  }
}

/**
 * The tables a statement reads: bronze for silver ratings, and the silver ratings of the date a
 * merge starts from; silver ratings and the catalog for features.
 */
async function load(db: Db, lake: LakeLocation, query: BatchQuery, date: string, params: BatchParams): Promise<void> {
  if (query.target === 'silver_ratings') {
    if (params.base !== undefined) await loadSilverRatings(db, lake, params.base);
    const events = new SqliteEventLake(db);
    for (const key of await bronzeKeys(lake, params.base ?? params.from ?? date, date)) {
      const parsed = parseLakeObjectKey(key.slice(lake.prefix.length));
      if (!parsed || parsed.area !== 'events') continue;
      const lines = gunzipLines(await get(lake, key)) as BronzeLine[];
      await events.writeBronze(
        parsed.id,
        lines.map((l) => ({
          offset: l.kafka_offset,
          event: { eventId: l.event_id, userId: l.user_id, movieId: l.movie_id, rating: l.rating, eventTime: l.event_time },
        })),
      );
    }
    return;
  }
  const catalog = (await keys(lake, `${lake.prefix}${CATALOG_KEY}`)).length === 0 ? [] : (gunzipLines(await get(lake, `${lake.prefix}${CATALOG_KEY}`)) as CatalogLine[]);
  await new SqliteFeatureStore(db).upsertMovies(catalog.map(movieOfCatalogLine));
  await loadSilverRatings(db, lake, date);
}

/** A partition of silver ratings, column by column: it can hold tens of millions of rows. */
async function loadSilverRatings(db: Db, lake: LakeLocation, date: string): Promise<void> {
  const names = SILVER_COLUMNS.silver_ratings.map((c) => c.name);
  const insert = db.prepare(`INSERT INTO silver_ratings (dt, ${names.join(', ')}) VALUES (?, ${names.map(() => '?').join(', ')})`);
  const insertAll = db.transaction((columns: ArrayLike<unknown>[], rows: number) => {
    for (let r = 0; r < rows; r++) insert.run(date, ...columns.map((c) => (typeof c[r] === 'bigint' ? Number(c[r]) : c[r])));
  });
  for (const key of await keys(lake, `${lake.prefix}${silverPartitionKey('silver_ratings', date)}`)) {
    const file = await get(lake, key);
    const rows = parquetRowCount(file);
    const columns: unknown[][] = names.map(() => new Array<unknown>(rows));
    await readParquetChunks(file, names, ({ columnName, columnData, rowStart }) => {
      const column = columns[names.indexOf(columnName)]!;
      for (let i = 0; i < columnData.length; i++) column[rowStart + i] = columnData[i];
    });
    insertAll(columns, rows);
  }
}

/** The bronze event objects of the dates from `first` to `last`, each hour partition listed on its own. */
async function bronzeKeys(lake: LakeLocation, first: string, last: string): Promise<string[]> {
  const out: string[] = [];
  for (let day = Date.parse(`${first}T00:00:00Z`); day <= Date.parse(`${last}T00:00:00Z`); day += 86_400_000) {
    const dt = new Date(day).toISOString().slice(0, 10);
    for (let hour = 0; hour < 24; hour++) out.push(...(await keys(lake, `${lake.prefix}bronze/events/dt=${dt}/hour=${String(hour).padStart(2, '0')}/`)));
  }
  return out;
}

/** The keys under a prefix, in key order. */
export async function keys(lake: LakeLocation, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const listed = await lake.s3.send(new ListObjectsV2Command({ Bucket: lake.bucket, Prefix: prefix, ContinuationToken: token }));
    out.push(...(listed.Contents ?? []).map((o) => o.Key!));
    token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
  } while (token);
  return out;
}

async function get(lake: LakeLocation, key: string): Promise<Uint8Array> {
  const object = await lake.s3.send(new GetObjectCommand({ Bucket: lake.bucket, Key: key }));
  const bytes = await object.Body!.transformToByteArray();
  lake.onRead?.(bytes.length);
  return bytes;
}

function gunzipLines(bytes: Uint8Array): unknown[] {
  return gunzipSync(bytes)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

/** A silver table's rows (values in SILVER_COLUMNS order) as the Parquet file Athena's UNLOAD writes. */
export function silverParquet(target: BatchQuery['target'], rows: readonly unknown[][]): Uint8Array {
  return silverParquetColumns(target, SILVER_COLUMNS[target].map((_, i) => rows.map((r) => r[i])));
}

/** The same file from the table's columns, each its values in row order. */
export function silverParquetColumns(target: BatchQuery['target'], columns: readonly (readonly unknown[])[]): Uint8Array {
  const buffer = parquetWriteBuffer({
    codec: 'SNAPPY',
    columnData: SILVER_COLUMNS[target].map((c, i) => ({
      name: c.name,
      type: PARQUET_TYPES[c.type],
      data: c.type === 'bigint' ? columns[i]!.map((v) => BigInt(v as number)) : [...columns[i]!],
    })),
  });
  return new Uint8Array(buffer);
}
