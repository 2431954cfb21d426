/**
 * A stand-in for Athena in tests, where no Athena runs: it does what the Athena engine's UNLOAD
 * does, with each statement's SQLite twin. Every run starts from what is in S3 alone (the bronze
 * objects, the catalog, the date's silver Parquet), loads it into an in-memory SQLite database,
 * runs the SQLite dialect, and writes the rows back to the silver partition as Parquet with the
 * types Athena would write (SILVER_COLUMNS), under a file name of Athena's kind.
 */
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { randomUUID } from 'node:crypto';
import { readParquet } from '../../lambdas/aws/parquet';
import { S3Lake } from '../../lambdas/aws/s3-lake';
import { silverPartitionKey } from '../../lambdas/core/lake-layout';
import { SILVER_COLUMNS, type LakeColumnType } from '../../lambdas/core/lake-tables';
import type { BatchQuery, BatchSqlEngine } from '../../lambdas/core/ports';
import { openDatabase, type Db } from '../../local/sqlite/database';
import { SqliteBatchSqlEngine } from '../../local/sqlite/sqlite-batch-sql-engine';
import { SqliteEventLake } from '../../local/sqlite/sqlite-event-lake';
import { SqliteFeatureStore } from '../../local/sqlite/sqlite-feature-store';

const PARQUET_TYPES: Record<LakeColumnType, 'INT32' | 'INT64' | 'DOUBLE' | 'STRING'> = {
  int: 'INT32',
  bigint: 'INT64',
  double: 'DOUBLE',
  string: 'STRING',
};

export class AthenaTwin implements BatchSqlEngine {
  /** Statements run, in order: what Athena would have been asked. */
  readonly runs: { target: BatchQuery['target']; date: string }[] = [];

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix = '',
  ) {}

  async run(query: BatchQuery, date: string): Promise<number> {
    this.runs.push({ target: query.target, date });
    const db = openDatabase(':memory:');
    try {
      await this.loadLake(db, date);
      const count = await new SqliteBatchSqlEngine(db).run(query, date);
      await this.unload(db, query.target, date);
      return count;
    } finally {
      db.close();
    }
  }

  private async loadLake(db: Db, date: string): Promise<void> {
    const lake = new S3Lake(this.s3, this.bucket, this.prefix);
    const events = new SqliteEventLake(db);
    for await (const object of lake.objects()) {
      if (object.area !== 'events') continue;
      await events.writeBronze(
        object.id,
        object.lines.map((l) => ({
          offset: l.kafka_offset,
          event: { eventId: l.event_id, userId: l.user_id, movieId: l.movie_id, rating: l.rating, eventTime: l.event_time },
        })),
      );
    }
    await new SqliteFeatureStore(db).upsertMovies(await lake.readCatalog());
    const columns = SILVER_COLUMNS.silver_ratings.map((c) => c.name);
    const insert = db.prepare(`INSERT INTO silver_ratings (dt, ${columns.join(', ')}) VALUES (?, ${columns.map(() => '?').join(', ')})`);
    for (const key of await this.keys(silverPartitionKey('silver_ratings', date))) {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      for (const row of await readParquet(await object.Body!.transformToByteArray())) {
        insert.run(date, ...columns.map((c) => (typeof row[c] === 'bigint' ? Number(row[c]) : row[c])));
      }
    }
  }

  private async unload(db: Db, target: BatchQuery['target'], date: string): Promise<void> {
    const folder = silverPartitionKey(target, date);
    const old = await this.keys(folder);
    if (old.length > 0) {
      await this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: old.map((Key) => ({ Key })) } }));
    }
    const rows = db.prepare(`SELECT ${SILVER_COLUMNS[target].map((c) => c.name).join(', ')} FROM ${target} WHERE dt = ?`).raw().all(date) as unknown[][];
    if (rows.length === 0) return; // UNLOAD of no rows writes no file
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${this.prefix}${folder}${date.replaceAll('-', '')}_000000_00000_${randomUUID()}`,
        Body: silverParquet(target, rows),
      }),
    );
  }

  private async keys(folder: string): Promise<string[]> {
    const listed = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}${folder}` }));
    return (listed.Contents ?? []).map((o) => o.Key!);
  }
}

/** A silver table's rows (values in SILVER_COLUMNS order) as the Parquet file Athena's UNLOAD writes. */
export function silverParquet(target: BatchQuery['target'], rows: readonly unknown[][]): Uint8Array {
  const buffer = parquetWriteBuffer({
    codec: 'SNAPPY',
    columnData: SILVER_COLUMNS[target].map((c, i) => ({
      name: c.name,
      type: PARQUET_TYPES[c.type],
      data: rows.map((r) => (c.type === 'bigint' ? BigInt(r[i] as number) : r[i])),
    })),
  });
  return new Uint8Array(buffer);
}
