/**
 * The baseline: the original design's consumer, which recomputes a user's and a movie's features
 * from all of their ratings for every event (same database state, same rating upsert, one
 * transaction per batch). Events go in already parsed, and bronze is not written: the baseline
 * is charged for its feature work only.
 */
import { join } from 'node:path';
import { BAYES_PRIOR_WEIGHT, DEFAULT_GLOBAL_MEAN, RECENT_RATINGS } from '../../lambdas/core/features';
import { openDatabase } from '../../local/sqlite/database';
import { DATABASE_FILE } from '../../local/system';
import type { Workload } from '../workload';
import { MSK_BATCH } from './consume';

/** Applies the first `count` events of `w` to the database in `dataDir`; returns events per second. */
export function measureNaiveConsume(w: Workload, count: number, dataDir: string): number {
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  try {
    // Reading a movie's ratings needs an index by movie, which the online schema has no use for.
    db.exec('CREATE INDEX IF NOT EXISTS ratings_by_movie ON ratings (movie_id)');
    const upsertRating = db.prepare(
      `INSERT INTO ratings (user_id, movie_id, rating, event_time, event_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = excluded.rating, event_time = excluded.event_time, event_id = excluded.event_id
       WHERE excluded.event_time > ratings.event_time`,
    );
    const userRatings = db.prepare('SELECT r.movie_id, r.rating, r.event_time, m.genres FROM ratings r JOIN movies m USING (movie_id) WHERE r.user_id = ?');
    const movieRatings = db.prepare('SELECT rating FROM ratings WHERE movie_id = ?');
    // The global mean stays a running total, as in the current design: only users and movies are recomputed.
    const oldRating = db.prepare('SELECT rating FROM ratings WHERE user_id = ? AND movie_id = ?');
    const addGlobal = db.prepare('UPDATE global_stats SET rating_count = rating_count + ?, rating_sum = rating_sum + ? WHERE id = 1');
    const global = db.prepare('SELECT rating_count AS n, rating_sum AS s FROM global_stats WHERE id = 1');
    const writeUser = db.prepare(
      'INSERT OR REPLACE INTO user_features (user_id, rating_count, rating_sum, last_active, recent, genres, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const writeMovie = db.prepare(
      'INSERT OR REPLACE INTO movie_features (movie_id, rating_count, rating_sum, bayesian_mean, updated_at) VALUES (?, ?, ?, ?, ?)',
    );
    const batch = db.transaction((start: number, end: number) => {
      for (let i = start; i < end; i++) {
        const userId = w.userIds[i]!;
        const movieId = w.movieIds[i]!;
        const time = w.times[i]!;
        const rating = w.halfStars[i]! / 2;
        const old = oldRating.pluck().get(userId, movieId) as number | undefined;
        upsertRating.run(userId, movieId, rating, time, `bench-${i}`);
        addGlobal.run(old === undefined ? 1 : 0, rating - (old ?? 0));
        const rows = userRatings.all(userId) as { movie_id: number; rating: number; event_time: number; genres: string }[];
        const genres: Record<string, { count: number; sum: number }> = {};
        let sum = 0;
        for (const r of rows) {
          sum += r.rating;
          for (const g of JSON.parse(r.genres) as string[]) {
            const c = (genres[g] ??= { count: 0, sum: 0 });
            c.count++;
            c.sum += r.rating;
          }
        }
        const recent = rows
          .sort((a, b) => b.event_time - a.event_time || a.movie_id - b.movie_id)
          .slice(0, RECENT_RATINGS)
          .map((r) => ({ movieId: r.movie_id, rating: r.rating, eventTime: r.event_time }));
        writeUser.run(userId, rows.length, sum, recent[0]?.eventTime ?? time, JSON.stringify(recent), JSON.stringify(genres), time);
        const ratings = movieRatings.pluck().all(movieId) as number[];
        const movieSum = ratings.reduce((a, b) => a + b, 0);
        const g = global.get() as { n: number; s: number };
        const mean = g.n === 0 ? DEFAULT_GLOBAL_MEAN : g.s / g.n;
        writeMovie.run(movieId, ratings.length, movieSum, (BAYES_PRIOR_WEIGHT * mean + movieSum) / (BAYES_PRIOR_WEIGHT + ratings.length), time);
      }
    });
    const started = performance.now();
    for (let start = 0; start < count; start += MSK_BATCH) batch(start, Math.min(count, start + MSK_BATCH));
    return count / ((performance.now() - started) / 1000);
  } finally {
    db.close();
  }
}
