import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { MovieFeatures, UserFeatures } from '../../lambdas/core/features';
import type { Logger, SilverFeatures } from '../../lambdas/core/ports';
import { openDatabase, type Db } from '../../local/sqlite/database';
import { SqliteBatchLake } from '../../local/sqlite/sqlite-batch-lake';
import { SqliteEventLake } from '../../local/sqlite/sqlite-event-lake';
import { SqliteFeatureStore } from '../../local/sqlite/sqlite-feature-store';
import { SqliteModelStore } from '../../local/sqlite/sqlite-model-store';
import { runDailyBatch, type BatchResult } from '../../local/batch-runner';
import { batchHandlers } from '../../local/system';
import { useTempDir } from './temp-dir';

/** The lake's objects as S3 names them, by key: their ids are the database's own. */
export const LAKE_OBJECT_ROWS =
  'SELECT object_key, area, dt, hour, topic, partition, first_offset, last_offset, record_count FROM lake_objects ORDER BY object_key';
/** Each bronze row with its object's key. */
export const BRONZE_ROWS = `SELECT o.object_key, b.kafka_offset, b.event_id, b.user_id, b.movie_id, b.rating, b.event_time
  FROM bronze_events b JOIN lake_objects o ON o.object_id = b.object_id ORDER BY o.object_key, b.kafka_offset`;

export interface RecordingLogger extends Logger {
  lines: { level: string; message: string; data?: Record<string, unknown> }[];
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  const at = (level: string) => (message: string, data?: Record<string, unknown>) => lines.push({ level, message, data });
  return { lines, debug: at('debug'), warn: at('warn'), error: at('error') };
}

/** The SQLite adapters over a real database file in `dir`. */
export function sqliteStores(dir: string): {
  db: Db;
  lake: SqliteEventLake;
  features: SqliteFeatureStore;
  models: SqliteModelStore;
} {
  const db = openDatabase(join(dir, 'movierec.db'));
  return { db, lake: new SqliteEventLake(db), features: new SqliteFeatureStore(db), models: new SqliteModelStore(db) };
}

/**
 * Runs the daily batch workflow for `date` over the stores, as `npm run local -- batch` does, at the
 * end of that date; `full` as `--full`.
 */
export async function runBatchOn(
  stores: ReturnType<typeof sqliteStores>,
  date: string,
  input: { full?: boolean; train?: boolean } = {},
): Promise<BatchResult> {
  const now = new Date(`${date}T23:59:59.999Z`);
  const result = await runDailyBatch(batchHandlers(stores.db, stores.features, stores.models, { now: () => now }), { date, ...input }, {
    retryIntervalMs: 0,
  });
  if (result.status !== 'succeeded') throw new Error(`batch failed: ${result.error}: ${result.cause}`);
  return result;
}

/** Opens a fresh database file per call; each is closed (and its folder removed) after the test. */
export function useDatabase(): () => Db {
  const tempDir = useTempDir();
  const open: Db[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
  });
  return () => {
    const db = openDatabase(join(tempDir(), 'movierec.db'));
    open.push(db);
    return db;
  };
}

/** Replaces the silver features of `date` with these, as JSON texts in the order given; returns the partition. */
export function writeSilverFeatures(db: Db, date: string, users: readonly UserFeatures[], movies: readonly MovieFeatures[]): SilverFeatures {
  db.transaction(() => {
    db.prepare('DELETE FROM silver_user_features WHERE dt = ?').run(date);
    db.prepare('DELETE FROM silver_movie_features WHERE dt = ?').run(date);
    const user = db.prepare('INSERT INTO silver_user_features VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const u of users) user.run(date, u.userId, u.ratingCount, u.ratingSum, u.lastActive, JSON.stringify(u.recent), JSON.stringify(u.genres));
    const movie = db.prepare('INSERT INTO silver_movie_features VALUES (?, ?, ?, ?, ?)');
    for (const m of movies) movie.run(date, m.movieId, m.ratingCount, m.ratingSum, m.bayesianMean);
  })();
  const lake = new SqliteBatchLake(db);
  return { date, users: () => lake.readUserFeatures(date), movies: () => lake.readMovieFeatures(date) };
}
