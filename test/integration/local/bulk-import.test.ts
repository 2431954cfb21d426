import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runBatch } from '../../../local/commands/batch';
import { openDatabase } from '../../../local/sqlite/database';
import { DATABASE_FILE, openLocalSystem, type LocalSystem } from '../../../local/system';
import { seededRandom } from '../../../lambdas/core/random';
import type { Movie } from '../../../lambdas/core/movie';
import { BRONZE_ROWS, LAKE_OBJECT_ROWS, recordingLogger } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

const NOW = Date.UTC(2026, 10, 24, 12, 30);
const GENRES = ['Action', 'Comedy', 'Drama', 'Horror', 'Romance'];
const MOVIES: Movie[] = Array.from({ length: 60 }, (_, i) => ({
  movieId: i + 1,
  title: `Movie ${i + 1}`,
  genres: GENRES.filter((_, g) => (i + g) % 3 === 0),
}));

/**
 * Ratings as producers send them, with what a topic carries besides: re-ratings (later, earlier,
 * at the same time under another id), redeliveries, events without an id (whose id the offset
 * gives), ISO timestamps, and records the contract refuses.
 */
function events(count: number, seed: number): object[] {
  const rnd = seededRandom(seed);
  const out: object[] = [];
  const start = Date.UTC(2026, 10, 1);
  for (let i = 0; i < count; i++) {
    const user = 1 + Math.floor(rnd.float() * 40);
    const movie = 1 + Math.floor(rnd.float() * 60);
    const value = 0.5 + Math.floor(rnd.float() * 10) / 2;
    const time = start + Math.floor(rnd.float() * 20) * 3_600_000;
    const kind = rnd.float();
    if (kind < 0.05) out.push({ type: 'rating', user_id: user, movie_id: movie, rating: 7, timestamp: time, event_id: `bad-${i}` });
    else if (kind < 0.07) out.push({ type: 'rating', movie_id: movie, rating: value, timestamp: time });
    else if (kind < 0.08) out.push({ type: 'rating', user_id: Number.NaN, movie_id: movie, rating: value, timestamp: time });
    else if (kind < 0.09) out.push({ type: 'rating', user_id: user, movie_id: movie, rating: value, timestamp: time, note: 'x'.repeat(20_000) });
    else if (kind < 0.15) out.push({ type: 'rating', user_id: user, movie_id: movie, rating: value, timestamp: time });
    else if (kind < 0.2) out.push({ type: 'rating', user_id: String(user), movie_id: movie, rating: value, timestamp: new Date(time).toISOString() });
    else if (kind < 0.25 && out.length > 0) out.push(out[Math.floor(rnd.float() * out.length)]!);
    else out.push({ event_id: `e-${seed}-${i % 700}`, type: 'rating', user_id: user, movie_id: movie, rating: value, timestamp: time });
  }
  return out;
}

const ordered = (table: string, order: string) => `SELECT * FROM ${table} ORDER BY ${order}`;

const ONLINE_TABLES = {
  lake_objects: LAKE_OBJECT_ROWS,
  bronze_events: BRONZE_ROWS,
  quarantine_records: ordered('quarantine_records', 'object_key, kafka_offset'),
  kafka_offsets: ordered('kafka_offsets', 'topic, partition'),
  ratings: ordered('ratings', 'user_id, movie_id'),
  user_features: ordered('user_features', 'user_id'),
  global_stats: ordered('global_stats', 'id'),
};
/** The model: 60 movies all fit its head, so its weights are all of it (no neighbour lists). */
const GOLD_TABLES = {
  silver_ratings: ordered('silver_ratings', 'dt, user_id, movie_id'),
  silver_user_features: ordered('silver_user_features', 'dt, user_id'),
  silver_movie_features: ordered('silver_movie_features', 'dt, movie_id'),
  gold_movies: ordered('gold_movies', 'dt, movie_id'),
  gold_popularity: ordered('gold_popularity', 'dt, genre, rank'),
  gold_head_weights: ordered('gold_head_weights', 'dt'),
  movie_features: ordered('movie_features', 'movie_id'),
};

describe('bulk import', () => {
  const tempDir = useTempDir();
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  /** Two folders with the same catalog and the same events consumed live first. */
  async function twoFolders(before: object[]): Promise<[LocalSystem, LocalSystem, string, string]> {
    const dirs = [tempDir(), tempDir()] as const;
    const systems = dirs.map((dir) => openLocalSystem(dir, recordingLogger(), { create: true }));
    for (const system of systems) {
      await system.features.upsertMovies(MOVIES);
      await system.pipeline.publish(before);
    }
    return [systems[0]!, systems[1]!, dirs[0], dirs[1]];
  }

  it.each([
    ['in one group of users', undefined],
    ['in groups of users and pages smaller than the import', { groupEvents: 500, readPage: 700 }],
  ])('leaves the lake, ratings and features that consuming the same batches leaves, and the same model after the batch, %s', async (_, sizes) => {
    const [live, bulk, liveDir, bulkDir] = await twoFolders(events(1_500, 1));
    const later = events(7_300, 2);

    const liveCounts = await live.pipeline.publish(later);
    const importer = bulk.bulkImport(sizes);
    // In pieces of whole MSK batches, as the MovieLens import reads them.
    for (let start = 0; start < later.length; start += 3_000) await importer.addEvents(later.slice(start, start + 3_000));
    const bulkCounts = await importer.finish();

    expect(bulkCounts).toEqual(liveCounts);
    expect(liveCounts.quarantined).toBeGreaterThan(500);
    expect(liveCounts.duplicate).toBeGreaterThan(100);
    expect(liveCounts.superseded).toBeGreaterThan(1_000);

    const compare = (tables: Record<string, string>) => {
      const [a, b] = [openDatabase(join(liveDir, DATABASE_FILE)), openDatabase(join(bulkDir, DATABASE_FILE))];
      try {
        for (const [table, query] of Object.entries(tables)) {
          const expected = a.prepare(query).all();
          expect(expected.length, table).toBeGreaterThan(0);
          expect(b.prepare(query).all(), table).toEqual(expected);
        }
        // Before the batch, a movie's Bayesian mean takes the global mean of the commit that last
        // changed it: the consumer's batches and the import's groups of users commit differently.
        const movies = 'SELECT movie_id, rating_count, rating_sum, updated_at FROM movie_features ORDER BY movie_id';
        expect(b.prepare(movies).all()).toEqual(a.prepare(movies).all());
      } finally {
        a.close();
        b.close();
      }
    };
    compare(ONLINE_TABLES);

    // The import's cached features are the committed ones: more live events apply alike.
    const more = events(800, 3);
    expect(await bulk.pipeline.publish(more)).toEqual(await live.pipeline.publish(more));
    compare(ONLINE_TABLES);

    for (const system of [live, bulk]) expect((await runBatch(system, '2026-11-24')).status).toBe('succeeded');
    await live.close();
    await bulk.close();
    compare({ ...ONLINE_TABLES, ...GOLD_TABLES });
  }, 120_000);

  it('breaks ties by event id within the import and against a stored rating, beside groups of users that need no ids', async () => {
    const [live, bulk, liveDir, bulkDir] = await twoFolders([]);
    const at = Date.UTC(2026, 10, 2);
    // Each user rates every movie once, but users 3 and 7 rate movie 5 twice at the same time: the
    // larger id wins, with the smaller rating, which a comparison without ids would not keep.
    const all: object[] = [];
    for (let user = 1; user <= 10; user++) {
      for (let movie = 1; movie <= 60; movie++) {
        all.push({ event_id: `r-${user}-${movie}`, type: 'rating', user_id: user, movie_id: movie, rating: 3, timestamp: at + movie * 60_000 });
      }
    }
    for (const user of [3, 7]) all.push({ event_id: `r-${user}-5-z`, type: 'rating', user_id: user, movie_id: 5, rating: 1, timestamp: at + 5 * 60_000 });

    // Then user 4 rates movie 6 again, at the stored rating's time under a larger id.
    const again = [{ event_id: 'r-4-6-z', type: 'rating', user_id: 4, movie_id: 6, rating: 1, timestamp: at + 6 * 60_000 }];
    for (const events of [all, again]) {
      const liveCounts = await live.pipeline.publish(events);
      const importer = bulk.bulkImport({ groupEvents: 100, readPage: 70 });
      await importer.addEvents(events);
      expect(await importer.finish()).toEqual(liveCounts);
    }

    await live.close();
    await bulk.close();
    const [a, b] = [openDatabase(join(liveDir, DATABASE_FILE)), openDatabase(join(bulkDir, DATABASE_FILE))];
    try {
      for (const query of [ONLINE_TABLES.ratings, ONLINE_TABLES.user_features]) expect(b.prepare(query).all(), query).toEqual(a.prepare(query).all());
      expect(b.prepare('SELECT user_id, rating_sum FROM user_features WHERE user_id IN (3, 4, 7) ORDER BY user_id').all()).toEqual([
        { user_id: 3, rating_sum: 59 * 3 + 1 },
        { user_id: 4, rating_sum: 59 * 3 + 1 },
        { user_id: 7, rating_sum: 59 * 3 + 1 },
      ]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('changes nothing on a second import of the same events, as consuming them again does not', async () => {
    const [live, bulk, liveDir, bulkDir] = await twoFolders([]);
    const all = events(4_000, 4);
    await live.pipeline.publish(all.slice(0, 2_000));
    const liveAgain = await live.pipeline.publish(all.slice(0, 2_000));
    const first = bulk.bulkImport();
    await first.addEvents(all.slice(0, 2_000));
    await first.finish();

    const again = bulk.bulkImport();
    await again.addEvents(all.slice(0, 2_000));
    const counts = await again.finish();
    expect(counts.applied).toBe(0);
    expect(counts.duplicate).toBeGreaterThan(1_000);
    expect(counts.duplicate + counts.superseded).toBe(counts.received - counts.quarantined);
    expect(counts).toEqual(liveAgain);

    await live.close();
    await bulk.close();
    const [a, b] = [openDatabase(join(liveDir, DATABASE_FILE)), openDatabase(join(bulkDir, DATABASE_FILE))];
    for (const query of [ONLINE_TABLES.ratings, ONLINE_TABLES.user_features]) {
      expect(b.prepare(query).all(), query).toEqual(a.prepare(query).all());
    }
    a.close();
    b.close();
  });
});
