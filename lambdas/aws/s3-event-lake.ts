/**
 * The event lake on S3: each batch's bronze (and quarantine) records as one gzip JSON Lines object
 * under the lake layout's key, so a retried batch overwrites the same object. The bytes are a
 * function of the records alone (gzip without a timestamp), so a retry writes the same bytes too.
 * The movie catalog lives here as well, in the same format.
 */
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { gunzipSync, gzipSync } from 'node:zlib';
import { MAX_ID } from '../core/event-contract';
import {
  bronzeLine,
  CATALOG_KEY,
  catalogLine,
  lakeObjectKey,
  movieOfCatalogLine,
  parseLakeObjectKey,
  quarantineLine,
  type BronzeLine,
  type CatalogLine,
  type LakeArea,
  type QuarantineLine,
} from '../core/lake/lake-layout';
import type { Movie } from '../core/movie';
import type { BronzeRecord, EventLake, LakeObjectId, QuarantineRecord } from '../core/ports';

/** A lake object as a listing names it: its key, and the area and Kafka batch the key encodes. */
export interface ListedLakeObject {
  key: string;
  area: LakeArea;
  id: LakeObjectId;
}

export type LakeObjectLines =
  | { area: 'events'; id: LakeObjectId; lines: BronzeLine[] }
  | { area: 'quarantine'; id: LakeObjectId; lines: QuarantineLine[] };

export class S3EventLake implements EventLake {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    /** Key prefix of the lake inside the bucket: '' or ending with '/'. */
    private readonly prefix = '',
  ) {}

  async writeBronze(id: LakeObjectId, records: readonly BronzeRecord[]): Promise<void> {
    await this.put('events', id, records.map(bronzeLine));
  }

  async writeQuarantine(id: LakeObjectId, records: readonly QuarantineRecord[]): Promise<void> {
    await this.put('quarantine', id, records.map(quarantineLine));
  }

  /** Every bronze and quarantine object under the prefix, in key order, without reading it. */
  async *list(): AsyncGenerator<ListedLakeObject> {
    let token: string | undefined;
    do {
      const listed = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}bronze/`, ContinuationToken: token }),
      );
      for (const { Key } of listed.Contents ?? []) {
        const parsed = Key === undefined ? undefined : parseLakeObjectKey(Key.slice(this.prefix.length));
        if (parsed) yield { key: Key!, ...parsed };
      }
      token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
    } while (token);
  }

  /** A listed object with its lines. */
  async read(object: ListedLakeObject): Promise<LakeObjectLines> {
    const lines = (await this.getLines(object.key)) as never[];
    return object.area === 'events' ? { area: 'events', id: object.id, lines } : { area: 'quarantine', id: object.id, lines };
  }

  /** Replaces the catalog, in movie id order. */
  async writeCatalog(movies: readonly Movie[]): Promise<void> {
    const lines = [...movies].sort((a, b) => a.movieId - b.movieId).map(catalogLine);
    await this.putLines(`${this.prefix}${CATALOG_KEY}`, lines);
  }

  /** The catalog, or an empty one when the lake has none yet; a malformed line is an error naming it. */
  async readCatalog(): Promise<Movie[]> {
    const key = `${this.prefix}${CATALOG_KEY}`;
    let lines: unknown[];
    try {
      lines = await this.getLines(key);
    } catch (err) {
      if (err instanceof NoSuchKey) return [];
      throw err;
    }
    return lines.map((line, i) => {
      if (!isCatalogLine(line)) {
        throw new Error(`s3://${this.bucket}/${key} line ${i + 1}: expected {"movie_id": id, "title": string, "genres": [string]}`);
      }
      return movieOfCatalogLine(line);
    });
  }

  private async put(area: LakeArea, id: LakeObjectId, lines: readonly object[]): Promise<void> {
    await this.putLines(`${this.prefix}${lakeObjectKey(area, id)}`, lines);
  }

  private async putLines(key: string, lines: readonly object[]): Promise<void> {
    const body = gzipSync(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson', ContentLength: body.length }),
    );
  }

  private async getLines(key: string): Promise<unknown[]> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const bytes = await object.Body!.transformToByteArray();
    try {
      return gunzipSync(bytes)
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as unknown);
    } catch (err) {
      throw new Error(`s3://${this.bucket}/${key} is not gzip JSON Lines: ${(err as Error).message}`, { cause: err });
    }
  }
}

function isCatalogLine(line: unknown): line is CatalogLine {
  if (typeof line !== 'object' || line === null) return false;
  const { movie_id: id, title, genres } = line as Record<string, unknown>;
  return (
    Number.isInteger(id) && (id as number) >= 1 && (id as number) <= MAX_ID &&
    typeof title === 'string' &&
    Array.isArray(genres) && genres.every((g) => typeof g === 'string')
  );
}
