/**
 * The full-scale state the batch and serving measures start from: the workload's events in the
 * SQLite lake (bronze, as the consumer writes it: one object per 1,000 events) and the catalog.
 * Bronze is written through the lake adapter directly: consuming 10M events is measured apart.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SILVER_COLUMNS } from '../../lambdas/core/lake/lake-tables';
import { openDatabase, setMeta, type Db } from '../../local/sqlite/database';
import { SqliteBatchLake } from '../../local/sqlite/sqlite-batch-lake';
import { SqliteEventLake } from '../../local/sqlite/sqlite-event-lake';
import { RESTORED_SILVER_DATE, SqliteFeatureStore } from '../../local/sqlite/sqlite-feature-store';
import { DATABASE_FILE } from '../../local/system';
import { TOPIC } from '../../local/embedded-producer';
import { eventIdAt, type DayEvent, type Workload } from '../workload';
import { MSK_BATCH } from './consume';

export async function loadLake(w: Workload, dataDir: string, progress: (done: number) => void): Promise<void> {
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  try {
    await new SqliteFeatureStore(db).upsertMovies(w.movies);
    const lake = new SqliteEventLake(db);
    for (let start = 0; start < w.count; start += MSK_BATCH) {
      const end = Math.min(w.count, start + MSK_BATCH);
      const records = [];
      for (let i = start; i < end; i++) {
        records.push({
          offset: i,
          event: { eventId: eventIdAt(w, i), userId: w.userIds[i]!, movieId: w.movieIds[i]!, rating: w.halfStars[i]! / 2, eventTime: w.times[i]! },
        });
      }
      await lake.writeBronze({ topic: TOPIC, partition: 0, firstOffset: start, lastOffset: end - 1, timestamp: w.times[end - 1]! }, records);
      if (start % 500_000 === 0) progress(end);
    }
  } finally {
    db.close();
  }
}

/**
 * Puts `events` into bronze as the consumer would, in objects of 1,000 with offsets after
 * `firstOffset`: the next day's events, for the batch of one more day.
 */
export async function addBronze(dataDir: string, events: readonly DayEvent[], firstOffset: number): Promise<void> {
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  try {
    const lake = new SqliteEventLake(db);
    for (let start = 0; start < events.length; start += MSK_BATCH) {
      const chunk = events.slice(start, start + MSK_BATCH);
      const records = chunk.map((e, i) => ({ offset: firstOffset + start + i, event: { eventId: e.eventId, userId: e.userId, movieId: e.movieId, rating: e.rating, eventTime: e.time } }));
      await lake.writeBronze({ topic: TOPIC, partition: 0, firstOffset: firstOffset + start, lastOffset: firstOffset + start + chunk.length - 1, timestamp: chunk[0]!.time }, records);
    }
  } finally {
    db.close();
  }
}

/**
 * Gives the online tables the ratings that consuming the workload would leave (the batch's
 * Publish step already wrote the user and movie features), so that serving has real profiles.
 */
export function fillOnlineRatings(db: Db, date: string): number {
  return db
    .prepare(
      `INSERT OR REPLACE INTO ratings (user_id, movie_id, rating, event_time, event_id)
       SELECT user_id, movie_id, rating, event_time, event_id FROM silver_ratings WHERE dt = ?`,
    )
    .run(date).changes;
}

export interface BatchRun {
  seconds: number;
  steps: Record<string, number>;
  peak_rss_mb: number;
}

/**
 * One run of the daily batch for `date` over the data folder, in a process of its own (batch-child.ts).
 * Each run is the date's first, as the daily schedule runs it, not a re-run that empties 10M rows
 * before it writes: untimed, the date's silver partitions an earlier run wrote are removed, and the
 * online ratings are marked as restored up to the latest earlier partition, as that day's run left them.
 */
export async function runBatchInChild(dataDir: string, date: string, input: { train?: boolean } = {}): Promise<BatchRun> {
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  try {
    for (const table of Object.keys(SILVER_COLUMNS)) db.prepare(`DELETE FROM ${table} WHERE dt = ?`).run(date);
    const before = await new SqliteBatchLake(db).latestSilverDate(date);
    if (before === undefined) db.prepare('DELETE FROM meta WHERE key = ?').run(RESTORED_SILVER_DATE);
    else setMeta(db, RESTORED_SILVER_DATE, before);
  } finally {
    db.close();
  }
  const args = [join(import.meta.dirname, '..', 'batch-child.ts'), dataDir, date, ...(input.train ? ['train'] : [])];
  const child = spawnSync(process.execPath, ['--import', 'tsx', ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(child.stdout.trim().split('\n').at(-1) || '{}') as BatchRun & { status?: string; error?: string };
  if (child.status !== 0 || result.status !== 'succeeded') throw new Error(`the batch failed: ${result.error ?? child.stderr}`);
  return { seconds: result.seconds, steps: result.steps, peak_rss_mb: result.peak_rss_mb };
}
