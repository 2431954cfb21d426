import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, PutObjectCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3EventLake, type ListedLakeObject } from '../../../lambdas/aws/s3-event-lake';
import { createConsumeHandler } from '../../../lambdas/handlers/consume';
import { BulkImport } from '../../../local/bulk-import';
import { generateDemoData } from '../../../local/demo-data';
import { EmbeddedProducer, messageFor } from '../../../local/embedded-producer';
import { exportLake, importLake, type ImportOptions } from '../../../local/lake-transfer';
import { BRONZE_ROWS, LAKE_OBJECT_ROWS, recordingLogger, sqliteStores } from '../../helpers/local-stores';
import { s3rverClient, startS3, type LocalS3 } from '../../helpers/s3rver';
import { useTempDir } from '../../helpers/temp-dir';

const demo = generateDemoData({ users: 40, movies: 30, seed: 5 });

describe('lake export to S3 and import back (s3rver)', () => {
  const tempDir = useTempDir();
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3.stop();
  });

  /** What must survive the round trip: the lake byte for byte, the ratings, and the counts and sums. */
  function state(stores: ReturnType<typeof sqliteStores>) {
    const all = (sql: string) => stores.db.prepare(sql).raw().all();
    return {
      objects: all(LAKE_OBJECT_ROWS),
      bronze: all(BRONZE_ROWS),
      quarantine: all('SELECT * FROM quarantine_records ORDER BY object_key, kafka_offset'),
      ratings: all('SELECT * FROM ratings ORDER BY user_id, movie_id'),
      // Genres are a JSON object whose key order follows arrival: compare them parsed.
      users: (all('SELECT user_id, rating_count, rating_sum, last_active, recent, genres FROM user_features ORDER BY user_id') as unknown[][]).map(
        (row) => [...row.slice(0, 4), JSON.parse(row[4] as string), JSON.parse(row[5] as string)],
      ),
      movies: all('SELECT movie_id, rating_count, rating_sum FROM movie_features ORDER BY movie_id'),
      global: all('SELECT * FROM global_stats'),
    };
  }

  /** A folder fed through the consumer, in batches of 30 over two days: more Kafka batches than three commits of an import. */
  async function consumedFolder() {
    const source = sqliteStores(tempDir());
    await source.features.upsertMovies(demo.movies);
    const consume = createConsumeHandler({ lake: source.lake, features: source.features, logger: recordingLogger() });
    const producer = new EmbeddedProducer(source.db);
    const times = [Date.UTC(2026, 10, 23, 9, 30), Date.UTC(2026, 10, 24, 17, 5)];
    const half = Math.floor(demo.events.length / 2);
    for (const [i, part] of [demo.events.slice(0, half), demo.events.slice(half)].entries()) {
      for (const batch of producer.batches(part.map(messageFor), 30, times[i])) await consume(batch);
    }
    expect(source.lake.objectCount()).toBeGreaterThan(30);
    return source;
  }

  function importInto(target: ReturnType<typeof sqliteStores>, lake: S3EventLake, options?: ImportOptions) {
    const producer = new EmbeddedProducer(target.db);
    return importLake(lake, { features: target.features, bulk: new BulkImport(target.db, target.lake, target.features, producer) }, producer, options);
  }

  it('brings back the same lake and the same features', async () => {
    const source = await consumedFolder();
    const lake = new S3EventLake(s3.s3, s3.bucket, 'roundtrip/');
    const exportProgress: [number, number][] = [];
    const exported = await exportLake(source.lake, demo.movies, lake, { onObjects: (done, total) => exportProgress.push([done, total]) });
    expect(exported).toMatchObject({ objects: exported.total, records: demo.events.length, movies: demo.movies.length });
    expect(exportProgress).toHaveLength(exported.objects);
    expect(exportProgress.at(-1)).toEqual([exported.objects, exported.objects]);

    // The target starts with no catalog: the import brings it.
    const target = sqliteStores(tempDir());
    const objects: [number, number][] = [];
    const applied: [number, number][] = [];
    const imported = await importInto(target, lake, {
      onObjects: (done, total) => objects.push([done, total]),
      onApplied: (done, total) => applied.push([done, total]),
    });
    expect(imported).toMatchObject({ received: demo.events.length, quarantined: 5, duplicate: 0, movies: demo.movies.length });
    expect(target.db.prepare('SELECT * FROM movies ORDER BY movie_id').all()).toEqual(
      source.db.prepare('SELECT * FROM movies ORDER BY movie_id').all(),
    );
    expect(state(target)).toEqual(state(source));
    // Progress a commit at a time, to every object; then to every event applied.
    expect(objects.length).toBeGreaterThan(3);
    expect(objects.at(-1)).toEqual([exported.objects, exported.objects]);
    expect(applied.at(-1)![0]).toBe(applied.at(-1)![1]);

    // Offsets produced after the import come after the imported ones: no key is reused.
    const next = new EmbeddedProducer(target.db).batches([messageFor({ user_id: 1 })])[0]!;
    const [record] = Object.values(next.records).flat();
    const used = target.db
      .prepare('SELECT MAX(last_offset) FROM lake_objects WHERE partition = ?')
      .pluck()
      .get(record!.partition) as number;
    expect(record!.offset).toBeGreaterThan(used);
    source.db.close();
    target.db.close();
  });

  it('stops at an object it cannot read, naming it; importing again once it is mended gives the whole lake', async () => {
    const source = await consumedFolder();
    const lake = new S3EventLake(s3.s3, s3.bucket, 'mended/');
    await exportLake(source.lake, demo.movies, lake);
    const listed: ListedLakeObject[] = [];
    for await (const object of lake.list()) listed.push(object);
    const broken = listed.filter((o) => o.area === 'events').at(-3)!;
    const original = await s3.s3.send(new GetObjectCommand({ Bucket: s3.bucket, Key: broken.key }));
    const bytes = await original.Body!.transformToByteArray();
    await s3.s3.send(new PutObjectCommand({ Bucket: s3.bucket, Key: broken.key, Body: 'not gzip' }));

    const target = sqliteStores(tempDir());
    const written: number[] = [];
    await expect(importInto(target, lake, { onObjects: (done) => written.push(done) })).rejects.toThrow(
      `s3://${s3.bucket}/${broken.key} is not gzip JSON Lines`,
    );
    // The commits before the broken object's landed: the lake was not read whole before writing.
    expect(written.length).toBeGreaterThan(0);
    expect(target.lake.objectCount()).toBeGreaterThan(0);

    await s3.s3.send(new PutObjectCommand({ Bucket: s3.bucket, Key: broken.key, Body: bytes }));
    const again = await importInto(target, lake);
    expect(again).toMatchObject({ received: demo.events.length, duplicate: 0 });
    expect(state(target)).toEqual(state(source));
    source.db.close();
    target.db.close();
  });

  it('stops an import asked to after the commit it is writing, consistent; importing again gives the whole lake', async () => {
    const source = await consumedFolder();
    const lake = new S3EventLake(s3.s3, s3.bucket, 'interrupted/');
    const exported = await exportLake(source.lake, demo.movies, lake);
    const target = sqliteStores(tempDir());
    const controller = new AbortController();
    const first = await importInto(target, lake, { onObjects: () => controller.abort(), signal: controller.signal });
    expect(first.batches).toBeGreaterThan(0);
    expect(target.lake.objectCount()).toBeLessThan(exported.objects);
    // What was imported is applied whole: the features count exactly the ratings that landed.
    const ratings = target.db.prepare('SELECT COUNT(*) FROM ratings').pluck().get() as number;
    expect(ratings).toBeGreaterThan(0);
    expect(target.db.prepare('SELECT SUM(rating_count) FROM user_features').pluck().get()).toBe(ratings);

    const again = await importInto(target, lake);
    expect(again.duplicate).toBe(first.received - first.quarantined);
    expect(state(target)).toEqual(state(source));
    source.db.close();
    target.db.close();
  });

  it('stops an export asked to once the objects in flight are written; exporting again writes the rest', async () => {
    const source = await consumedFolder();
    const lake = new S3EventLake(s3.s3, s3.bucket, 'stopped/');
    const listed = async () => {
      const keys: string[] = [];
      for await (const object of lake.list()) keys.push(object.key);
      return keys.length;
    };
    const controller = new AbortController();
    const first = await exportLake(source.lake, demo.movies, lake, { onObjects: () => controller.abort(), signal: controller.signal });
    expect(first.objects).toBeGreaterThan(0);
    expect(first.objects).toBeLessThan(first.total);
    expect(await listed()).toBe(first.objects);

    const again = await exportLake(source.lake, demo.movies, lake);
    expect(again.objects).toBe(first.total);
    expect(await listed()).toBe(first.total);
    source.db.close();
  });

  it('fails an export on the first object S3 refuses, with S3\'s error', async () => {
    const source = await consumedFolder();
    // Writes in flight when one fails must not surface later as unhandled rejections.
    const client = s3rverClient(s3.endpoint);
    const real = s3rverClient(s3.endpoint);
    let puts = 0;
    mockClient(client)
      .on(PutObjectCommand)
      .callsFake(async (input: PutObjectCommandInput) => {
        if (++puts >= 6) throw new Error('SlowDown: reduce your request rate');
        return real.send(new PutObjectCommand(input));
      });
    await expect(exportLake(source.lake, demo.movies, new S3EventLake(client, s3.bucket, 'refused/'))).rejects.toThrow('SlowDown');
    await new Promise((resolve) => setTimeout(resolve, 200));
    real.destroy();
    source.db.close();
  });
});
