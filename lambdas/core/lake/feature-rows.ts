/**
 * Feature rows as the silver tables (SQLite and Parquet alike) and the SQLite online tables hold
 * them, and their mapping to the core types.
 */
import type { CountSum, MovieFeatures, RankingFeatures, RecentRating, UserFeatures } from '../features';

export interface UserRow {
  user_id: number;
  rating_count: number;
  rating_sum: number;
  last_active: number;
  recent: string;
  genres: string;
  updated_at: number;
}
export interface MovieFeatureRow {
  movie_id: number;
  rating_count: number;
  rating_sum: number;
  bayesian_mean: number;
  updated_at: number;
}

export function toUser(row: UserRow): UserFeatures {
  return {
    userId: row.user_id,
    ratingCount: row.rating_count,
    ratingSum: row.rating_sum,
    lastActive: row.last_active,
    recent: JSON.parse(row.recent) as RecentRating[],
    genres: JSON.parse(row.genres) as Record<string, CountSum>,
    updatedAt: row.updated_at,
  };
}

/** The columns ranking reads of a user's row. */
export type RankingUserRow = Pick<UserRow, 'user_id' | 'rating_count' | 'genres'>;

export function toRankingFeatures(row: RankingUserRow): RankingFeatures {
  return { userId: row.user_id, ratingCount: row.rating_count, genres: JSON.parse(row.genres) as Record<string, CountSum> };
}

export function toMovieFeatures(row: MovieFeatureRow): MovieFeatures {
  return {
    movieId: row.movie_id,
    ratingCount: row.rating_count,
    ratingSum: row.rating_sum,
    bayesianMean: row.bayesian_mean,
    updatedAt: row.updated_at,
  };
}
