/**
 * The lake as the batch's code steps read it on S3: the silver Parquet files that Athena's UNLOAD
 * wrote into a date's partition (any number of files, any names) and the catalog. Athena writes
 * BIGINT columns as INT64, which hyparquet returns as BigInt: they become numbers here, exact up to
 * 2^53, beyond any count or epoch-ms time this system holds.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { toMovieFeatures, toUser, type MovieFeatureRow, type UserRow } from '../core/lake/feature-rows';
import type { MovieFeatures, UserFeatures } from '../core/features';
import type { SilverRatings } from '../core/holdout';
import { receiptDate, silverPartitionKey, silverReceiptFolder } from '../core/lake/lake-layout';
import type { Movie } from '../core/movie';
import type { BatchLake, BatchQuery } from '../core/ports';
import { parquetRowCount, readParquet, readParquetChunks } from './parquet';
import type { S3EventLake } from './s3-event-lake';

export class S3BatchLake implements BatchLake {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    /** Key prefix of the lake inside the bucket: '' or ending with '/'. */
    private readonly prefix: string,
    /** Where the catalog is read from. */
    private readonly lake: S3EventLake,
  ) {}

  /** One request: S3 lists keys in order, and the first bronze key is in the earliest date's folder. */
  async earliestBronzeDate(): Promise<string | undefined> {
    const listed = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}bronze/events/`, MaxKeys: 1 }));
    return /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(listed.Contents?.[0]?.Key ?? '')?.[1];
  }

  /** One request per 1,000 dates: the receipts of silver ratings' whole partitions. */
  async latestSilverDate(before: string): Promise<string | undefined> {
    let latest: string | undefined;
    let token: string | undefined;
    do {
      const listed = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}${silverReceiptFolder('silver_ratings')}`, ContinuationToken: token }),
      );
      for (const o of listed.Contents ?? []) {
        const date = receiptDate(o.Key ?? '');
        if (date !== undefined && date < before && (latest === undefined || date > latest)) latest = date;
      }
      token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
    } while (token);
    return latest;
  }

  /** Only the two id columns, straight into typed arrays: silver ratings can hold tens of millions of rows. */
  async readInteractions(date: string): Promise<SilverRatings> {
    const files = await this.silverFiles('silver_ratings', date);
    const counts = files.map(parquetRowCount);
    const total = counts.reduce((n, c) => n + c, 0);
    const columns = { user_id: new Int32Array(total), movie_id: new Int32Array(total), rating: new Float32Array(total), event_time: new Float64Array(total) };
    let base = 0;
    for (const [f, file] of files.entries()) {
      await readParquetChunks(file, ['user_id', 'movie_id', 'rating', 'event_time'], ({ columnName, columnData, rowStart }) => {
        columns[columnName as keyof typeof columns].set(Float64Array.from(columnData as ArrayLike<number | bigint>, Number), base + rowStart);
      });
      base += counts[f]!;
    }
    return { userIds: columns.user_id, movieIds: columns.movie_id, ratings: columns.rating, eventTimes: columns.event_time };
  }

  readCatalog(): Promise<Movie[]> {
    return this.lake.readCatalog();
  }

  /** Silver rows have no updated_at: the publish step stamps them. */
  async readUserFeatures(date: string): Promise<UserFeatures[]> {
    const rows = await this.readSilver('silver_user_features', date);
    return rows.map((r) => toUser({ ...(r as unknown as UserRow), updated_at: 0 }));
  }

  async readMovieFeatures(date: string): Promise<MovieFeatures[]> {
    const rows = await this.readSilver('silver_movie_features', date);
    return rows.map((r) => toMovieFeatures({ ...(r as unknown as MovieFeatureRow), updated_at: 0 }));
  }

  /** Every row of a silver partition, files in key order, BigInts as numbers. */
  private async readSilver(table: BatchQuery['target'], date: string): Promise<Record<string, unknown>[]> {
    const files = await this.silverFiles(table, date);
    return (await Promise.all(files.map(readParquet))).flat().map(numbersOf);
  }

  /** The Parquet files of a silver partition, in key order. */
  private async silverFiles(table: BatchQuery['target'], date: string): Promise<Uint8Array[]> {
    const folder = `${this.prefix}${silverPartitionKey(table, date)}`;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const listed = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: folder, ContinuationToken: token }));
      // Athena leaves no markers here, but tools that create "folders" write empty objects.
      for (const o of listed.Contents ?? []) if (o.Key && (o.Size ?? 0) > 0) keys.push(o.Key);
      token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
    } while (token);
    return Promise.all(
      keys.sort().map(async (Key) => {
        const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
        return object.Body!.transformToByteArray();
      }),
    );
  }
}

function numbersOf(row: Record<string, unknown>): Record<string, unknown> {
  for (const [name, value] of Object.entries(row)) if (typeof value === 'bigint') row[name] = Number(value);
  return row;
}
