/** The silver tables and the catalog in SQLite, as the batch's code steps read them. */
import type { MovieFeatures, UserFeatures } from '../../lambdas/core/features';
import type { SilverRatings } from '../../lambdas/core/holdout';
import type { Movie } from '../../lambdas/core/movie';
import type { BatchLake } from '../../lambdas/core/ports';
import type { Db } from './database';
import { toMovieFeatures, toUser, type MovieFeatureRow, type UserRow } from '../../lambdas/core/lake/feature-rows';

export class SqliteBatchLake implements BatchLake {
  constructor(private readonly db: Db) {}

  async earliestBronzeDate(): Promise<string | undefined> {
    return (this.db.prepare("SELECT MIN(dt) FROM lake_objects WHERE area = 'events'").pluck().get() as string | null) ?? undefined;
  }

  /** An empty partition has no rows to be found by: an earlier base serves as well. */
  async latestSilverDate(before: string): Promise<string | undefined> {
    return (this.db.prepare('SELECT MAX(dt) FROM silver_ratings WHERE dt < ?').pluck().get(before) as string | null) ?? undefined;
  }

  async readInteractions(date: string): Promise<SilverRatings> {
    const count = this.db.prepare('SELECT COUNT(*) FROM silver_ratings WHERE dt = ?').pluck().get(date) as number;
    const userIds = new Int32Array(count);
    const movieIds = new Int32Array(count);
    const ratings = new Float32Array(count);
    const eventTimes = new Float64Array(count);
    let i = 0;
    const rows = this.db.prepare('SELECT user_id, movie_id, rating, event_time FROM silver_ratings WHERE dt = ?').raw().iterate(date);
    for (const [userId, movieId, rating, eventTime] of rows as IterableIterator<[number, number, number, number]>) {
      userIds[i] = userId;
      movieIds[i] = movieId;
      ratings[i] = rating;
      eventTimes[i] = eventTime;
      i++;
    }
    return { userIds, movieIds, ratings, eventTimes };
  }

  async readCatalog(): Promise<Movie[]> {
    const rows = this.db.prepare('SELECT movie_id, title, genres FROM movies ORDER BY movie_id').all() as {
      movie_id: number;
      title: string;
      genres: string;
    }[];
    return rows.map((r) => ({ movieId: r.movie_id, title: r.title, genres: JSON.parse(r.genres) as string[] }));
  }

  /** Silver rows have no updated_at: the publish step stamps them. */
  async readUserFeatures(date: string): Promise<UserFeatures[]> {
    return (
      this.db
        .prepare(
          `SELECT user_id, rating_count, rating_sum, last_active, recent, genres, 0 AS updated_at
           FROM silver_user_features WHERE dt = ?`,
        )
        .all(date) as UserRow[]
    ).map(toUser);
  }

  async readMovieFeatures(date: string): Promise<MovieFeatures[]> {
    return (
      this.db
        .prepare(
          `SELECT movie_id, rating_count, rating_sum, bayesian_mean, 0 AS updated_at
           FROM silver_movie_features WHERE dt = ?`,
        )
        .all(date) as MovieFeatureRow[]
    ).map(toMovieFeatures);
  }
}
