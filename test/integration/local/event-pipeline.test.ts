import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConsumeHandler, type ConsumeEvent } from '../../../lambdas/handlers/consume';
import { EmbeddedProducer } from '../../../local/embedded-producer';
import { EventPipeline } from '../../../local/event-pipeline';
import { openDatabase } from '../../../local/sqlite/database';
import { DATABASE_FILE, openLocalSystem } from '../../../local/system';
import { rating } from '../../helpers/msk';
import { recordingLogger, sqliteStores } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

describe('EventPipeline', () => {
  const tempDir = useTempDir();

  it('consumes one batch at a time, whatever submits at once', async () => {
    const stores = sqliteStores(tempDir());
    const consume = createConsumeHandler({ lake: stores.lake, features: stores.features, logger: recordingLogger() });
    let running = 0;
    let maxRunning = 0;
    const pipeline = new EventPipeline(async (e: ConsumeEvent) => {
      maxRunning = Math.max(maxRunning, ++running);
      try {
        return await consume(e);
      } finally {
        running--;
      }
    }, new EmbeddedProducer(stores.db));

    // The same user and movie from many concurrent requests: a lost update would show in the counts.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => pipeline.publish([rating(1, 1, 0.5 + (i % 10) / 2, Date.UTC(2026, 0, 1, 0, i), `e${i}`)])),
    );
    await pipeline.drain();
    expect(maxRunning).toBe(1);
    expect(results.reduce((n, c) => n + c.applied + c.superseded, 0)).toBe(20);
    const profile = await stores.features.getUserProfile(1);
    expect(profile?.features).toMatchObject({ ratingCount: 1, ratingSum: 5 });
    stores.db.close();
  });

  it('keeps going after a failed batch', async () => {
    const stores = sqliteStores(tempDir());
    const consume = createConsumeHandler({ lake: stores.lake, features: stores.features, logger: recordingLogger() });
    let fail = true;
    const pipeline = new EventPipeline(async (e: ConsumeEvent) => {
      if (fail) {
        fail = false;
        throw new Error('disk full');
      }
      return consume(e);
    }, new EmbeddedProducer(stores.db));
    await expect(pipeline.publish([rating(1, 1, 4, Date.UTC(2026, 0, 1), 'a')])).rejects.toThrow('disk full');
    expect(await pipeline.publish([rating(1, 1, 4, Date.UTC(2026, 0, 1), 'a')])).toMatchObject({ applied: 1 });
    stores.db.close();
  });

  it('commits a batch whole or not at all: a write refused midway leaves no bronze, rating or feature of it', async () => {
    const dir = tempDir();
    const system = openLocalSystem(dir, recordingLogger(), { create: true });
    // A second connection, as another process would have, to count and to break writes.
    const db = openDatabase(join(dir, DATABASE_FILE));
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    await system.features.upsertMovies([
      { movieId: 1, title: 'One', genres: ['Drama'] },
      { movieId: 2, title: 'Two', genres: ['Comedy'] },
    ]);
    await system.pipeline.publish([rating(1, 1, 4, Date.UTC(2026, 0, 1), 'a')]);
    // The movie's features are the batch's last write: bronze, the rating and the user are written by then.
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON movie_features WHEN NEW.movie_id = 2
                    BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`);
    await expect(system.pipeline.publish([rating(1, 2, 5, Date.UTC(2026, 0, 2), 'b')])).rejects.toThrow('disk I/O error');
    expect([count('bronze_events'), count('lake_objects'), count('ratings'), count('movie_features')]).toEqual([1, 1, 1, 1]);
    expect((await system.features.getUserProfile(1))?.features).toMatchObject({ ratingCount: 1, ratingSum: 4 });

    db.exec('DROP TRIGGER refuse');
    expect(await system.pipeline.publish([rating(1, 2, 5, Date.UTC(2026, 0, 2), 'b')])).toMatchObject({ applied: 1 });
    // Counted once: the rolled-back user is not served from the cache.
    expect((await system.features.getUserProfile(1))?.features).toMatchObject({ ratingCount: 2, ratingSum: 9 });
    expect(db.prepare('SELECT rating_count AS n FROM global_stats').get()).toEqual({ n: 2 });
    db.close();
    await system.close();
  });
});
