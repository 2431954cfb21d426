import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3EventLake } from '../../../lambdas/aws/s3-event-lake';
import { startS3, type LocalS3 } from '../../helpers/s3rver';

const id = { topic: 'user-events', partition: 1, firstOffset: 10, lastOffset: 12, timestamp: Date.UTC(2026, 10, 24, 13) };
const record = (offset: number) => ({
  offset,
  event: { eventId: `e${offset}`, userId: 7, movieId: offset, rating: 4.5, eventTime: Date.UTC(2026, 10, 24) },
});

describe('S3EventLake against s3rver', () => {
  let local: LocalS3;
  beforeAll(async () => {
    local = await startS3();
  });
  afterAll(async () => {
    await local.stop();
  });

  async function keys(prefix: string): Promise<string[]> {
    const listed = await local.s3.send(new ListObjectsV2Command({ Bucket: local.bucket, Prefix: prefix }));
    return (listed.Contents ?? []).map((o) => o.Key!).sort();
  }
  async function lines(key: string): Promise<unknown[]> {
    const object = await local.s3.send(new GetObjectCommand({ Bucket: local.bucket, Key: key }));
    const text = gunzipSync(Buffer.from(await object.Body!.transformToByteArray())).toString();
    return text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
  }

  it('writes a batch as one gzip JSON Lines object under the bronze layout, and a retry overwrites it', async () => {
    const lake = new S3EventLake(local.s3, local.bucket, 'lake/');
    await lake.writeBronze(id, [record(10), record(12)]);
    await lake.writeBronze(id, [record(10), record(12)]);
    const key = 'lake/bronze/events/dt=2026-11-24/hour=13/user-events-1-10-12.jsonl.gz';
    expect(await keys('lake/bronze/events/')).toEqual([key]);
    expect(await lines(key)).toEqual([
      { kafka_offset: 10, event_id: 'e10', user_id: 7, movie_id: 10, rating: 4.5, event_time: Date.UTC(2026, 10, 24) },
      { kafka_offset: 12, event_id: 'e12', user_id: 7, movie_id: 12, rating: 4.5, event_time: Date.UTC(2026, 10, 24) },
    ]);
  });

  it('keeps quarantined records with their reason and raw value', async () => {
    const lake = new S3EventLake(local.s3, local.bucket);
    await lake.writeQuarantine(id, [{ offset: 11, timestamp: id.timestamp, reason: 'rating must be a number', value: 'e30=', key: null }]);
    const [key] = await keys('bronze/quarantine/');
    expect(key).toBe('bronze/quarantine/dt=2026-11-24/hour=13/user-events-1-10-12.jsonl.gz');
    expect(await lines(key!)).toEqual([
      { kafka_offset: 11, kafka_timestamp: id.timestamp, reason: 'rating must be a number', value: 'e30=', key: null },
    ]);
  });

  it('keeps the catalog as one JSON Lines object in movie id order, and reads it back', async () => {
    const lake = new S3EventLake(local.s3, local.bucket, 'catalog-test/');
    expect(await lake.readCatalog()).toEqual([]);
    const movies = [
      { movieId: 5, title: 'Heat (1995)', genres: ['Action', 'Crime'] },
      { movieId: 2, title: 'Jumanji (1995)', genres: [] },
    ];
    await lake.writeCatalog(movies);
    expect(await lines('catalog-test/catalog/movies/movies.jsonl.gz')).toEqual([
      { movie_id: 2, title: 'Jumanji (1995)', genres: [] },
      { movie_id: 5, title: 'Heat (1995)', genres: ['Action', 'Crime'] },
    ]);
    expect(await lake.readCatalog()).toEqual([movies[1], movies[0]]);
  });

  it('names the malformed line of a catalog it cannot read', async () => {
    const body = gzipSync('{"movie_id":1,"title":"Toy Story (1995)","genres":["Animation"]}\n{"movie_id":"two","title":"x","genres":[]}\n');
    await local.s3.send(new PutObjectCommand({ Bucket: local.bucket, Key: 'bad/catalog/movies/movies.jsonl.gz', Body: body }));
    await expect(new S3EventLake(local.s3, local.bucket, 'bad/').readCatalog()).rejects.toThrow(
      `s3://${local.bucket}/bad/catalog/movies/movies.jsonl.gz line 2: expected {"movie_id": id, "title": string, "genres": [string]}`,
    );
  });
});
