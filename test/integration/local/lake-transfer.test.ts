import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3EventLake } from '../../../lambdas/aws/s3-event-lake';
import { createConsumeHandler } from '../../../lambdas/handlers/consume';
import { BulkImport } from '../../../local/bulk-import';
import { generateDemoData } from '../../../local/demo-data';
import { EmbeddedProducer, messageFor } from '../../../local/embedded-producer';
import { exportLake, importLake } from '../../../local/lake-transfer';
import { BRONZE_ROWS, LAKE_OBJECT_ROWS, recordingLogger, sqliteStores } from '../../helpers/local-stores';
import { startS3, type LocalS3 } from '../../helpers/s3rver';
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

  it('brings back the same lake and the same features', async () => {
    const source = sqliteStores(tempDir());
    await source.features.upsertMovies(demo.movies);
    const consume = createConsumeHandler({ lake: source.lake, features: source.features, logger: recordingLogger() });
    const producer = new EmbeddedProducer(source.db);
    const times = [Date.UTC(2026, 10, 23, 9, 30), Date.UTC(2026, 10, 24, 17, 5)];
    const half = Math.floor(demo.events.length / 2);
    for (const [i, part] of [demo.events.slice(0, half), demo.events.slice(half)].entries()) {
      for (const batch of producer.batches(part.map(messageFor), 300, times[i])) await consume(batch);
    }

    const lake = new S3EventLake(s3.s3, s3.bucket, 'roundtrip/');
    const exported = await exportLake(source.lake, demo.movies, lake);
    expect(exported).toMatchObject({ records: demo.events.length, movies: demo.movies.length });

    // The target starts with no catalog: the import brings it.
    const target = sqliteStores(tempDir());
    const targetProducer = new EmbeddedProducer(target.db);
    const bulk = new BulkImport(target.db, target.lake, target.features, targetProducer);
    const imported = await importLake(lake, { features: target.features, bulk }, targetProducer);
    expect(imported).toMatchObject({ received: demo.events.length, quarantined: 5, duplicate: 0, movies: demo.movies.length });
    expect(target.db.prepare('SELECT * FROM movies ORDER BY movie_id').all()).toEqual(
      source.db.prepare('SELECT * FROM movies ORDER BY movie_id').all(),
    );
    expect(state(target)).toEqual(state(source));

    // Offsets produced after the import come after the imported ones: no key is reused.
    const next = targetProducer.batches([messageFor({ user_id: 1 })])[0]!;
    const [record] = Object.values(next.records).flat();
    const used = target.db
      .prepare('SELECT MAX(last_offset) FROM lake_objects WHERE partition = ?')
      .pluck()
      .get(record!.partition) as number;
    expect(record!.offset).toBeGreaterThan(used);
    source.db.close();
    target.db.close();
  });
});
