/**
 * The columns of the lake's silver and gold tables, in the Glue (Hive) type names that Athena reads
 * and writes. Athena's UNLOAD writes each SELECT's types, so the Athena dialect in batch-queries.ts
 * produces exactly these; the silver Parquet reader and the Glue table definitions rely on them.
 * `recent` and `genres` are JSON text, as in SQLite, so that both runtimes hold the same values.
 */
import type { BatchQuery } from '../ports';

export type LakeColumnType = 'int' | 'bigint' | 'double' | 'string';

export interface LakeColumn {
  name: string;
  type: LakeColumnType;
}

export const SILVER_COLUMNS: Record<BatchQuery['target'], readonly LakeColumn[]> = {
  silver_ratings: [
    { name: 'user_id', type: 'int' },
    { name: 'movie_id', type: 'int' },
    { name: 'rating', type: 'double' },
    { name: 'event_time', type: 'bigint' },
    { name: 'event_id', type: 'string' },
  ],
  silver_user_features: [
    { name: 'user_id', type: 'int' },
    { name: 'rating_count', type: 'bigint' },
    { name: 'rating_sum', type: 'double' },
    { name: 'last_active', type: 'bigint' },
    { name: 'recent', type: 'string' },
    { name: 'genres', type: 'string' },
  ],
  silver_movie_features: [
    { name: 'movie_id', type: 'int' },
    { name: 'rating_count', type: 'bigint' },
    { name: 'rating_sum', type: 'double' },
    { name: 'bayesian_mean', type: 'double' },
  ],
};

export type GoldTable = 'gold_movies' | 'gold_item_neighbours' | 'gold_popularity';

/** The gold Parquet files the model store writes, one per table and model date. */
export const GOLD_COLUMNS: Record<GoldTable, readonly LakeColumn[]> = {
  /** `genres` is a JSON array. */
  gold_movies: [
    { name: 'movie_id', type: 'int' },
    { name: 'title', type: 'string' },
    { name: 'genres', type: 'string' },
    { name: 'rating_count', type: 'int' },
  ],
  gold_item_neighbours: [
    { name: 'movie_id', type: 'int' },
    { name: 'rank', type: 'int' },
    { name: 'neighbour_id', type: 'int' },
    { name: 'score', type: 'double' },
  ],
  /** `genre` is '' for the overall list. */
  gold_popularity: [
    { name: 'genre', type: 'string' },
    { name: 'rank', type: 'int' },
    { name: 'movie_id', type: 'int' },
  ],
};
