/**
 * kill -9 during a stream of POST /events, at random points: the batch under way commits whole or
 * not at all, and after the next daily batch every online table equals a clean run's over the same
 * events.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDailyBatch } from '../../local/batch-runner';
import { today } from '../../local/commands/batch';
import { DataDirError } from '../../local/data-dir';
import { generateDemoData } from '../../local/demo-data';
import { openDatabaseForReading, type Db } from '../../local/sqlite/database';
import { DATABASE_FILE, openLocalSystem, type LocalSystem } from '../../local/system';
import { freePort, useLocalProcesses, waitForOutput } from '../helpers/local-process';
import { recordingLogger } from '../helpers/local-stores';
import { useTempDir } from '../helpers/temp-dir';

const data = generateDemoData({ users: 800, movies: 150, seed: 11 });
const CHUNK = 1000;
const chunks = Array.from({ length: Math.ceil(data.events.length / CHUNK) }, (_, i) => data.events.slice(i * CHUNK, (i + 1) * CHUNK));
/**
 * Where the kill lands: after this many chunks are acknowledged, and a random few milliseconds into
 * the next (a chunk takes tens of milliseconds), so that every point of the stream is met whatever
 * the machine's speed.
 */
const KILLS = [1, 10, 20, 30, 35].map((chunk) => ({ chunk, ms: Math.floor(Math.random() * 40) }));

/** Every online table, as serving and the consumer read them; `updated_at` is the run's own time. */
function onlineTables(db: Db): Record<string, unknown[]> {
  const all = (sql: string) => db.prepare(sql).raw().all();
  return {
    movies: all('SELECT * FROM movies ORDER BY movie_id'),
    ratings: all('SELECT * FROM ratings ORDER BY user_id, movie_id'),
    user_features: all('SELECT user_id, rating_count, rating_sum, last_active, recent, genres FROM user_features ORDER BY user_id'),
    movie_features: all('SELECT movie_id, rating_count, rating_sum, bayesian_mean FROM movie_features ORDER BY movie_id'),
    global_stats: all('SELECT * FROM global_stats'),
  };
}

/** Opens the folder once the killed process is gone: SIGKILL is delivered, but its exit takes a moment under load. */
async function openOnceGone(dir: string): Promise<LocalSystem> {
  for (let waited = 0; ; waited += 100) {
    try {
      return openLocalSystem(dir, recordingLogger());
    } catch (err) {
      if (!(err instanceof DataDirError) || !err.message.includes('in use') || waited > 10_000) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function batch(system: LocalSystem): Promise<void> {
  const result = await runDailyBatch(system.batch, { date: today() }, { retryIntervalMs: 0 });
  if (result.status !== 'succeeded') throw new Error(`batch failed: ${result.error}: ${result.cause}`);
}

describe('a crash during a POST stream (e2e)', () => {
  const tempDir = useTempDir();
  const runLocal = useLocalProcesses();

  it.each(KILLS)('kill -9 $ms ms after chunk $chunk: no torn batch, and the next batch ends as a clean run', async (kill) => {
    const dir = tempDir();
    const setup = openLocalSystem(dir, recordingLogger(), { create: true });
    await setup.features.upsertMovies(data.movies);
    await setup.close();

    const port = await freePort();
    const p = runLocal(['--data-dir', dir, '--port', String(port), '--no-demo']);
    await waitForOutput(p, /movierec is listening on/, 120_000);
    let killed: Promise<void> | undefined;
    let acknowledged = 0;
    let valid = 0;
    for (const chunk of chunks) {
      const response = await fetch(`http://127.0.0.1:${port}/events`, { method: 'POST', body: JSON.stringify(chunk) }).catch(() => undefined);
      if (response?.status !== 200) break;
      const counts = (await response.json().catch(() => undefined)) as { received: number; quarantined: number } | undefined;
      if (!counts) break;
      acknowledged++;
      valid += counts.received - counts.quarantined;
      if (acknowledged === kill.chunk) {
        killed = new Promise<void>((resolve) =>
          setTimeout(() => {
            process.kill(-p.proc.pid!, 'SIGKILL');
            resolve();
          }, kill.ms),
        );
      }
    }
    await killed;
    await p.exited;

    // The lock of the killed process is taken over; what bronze holds, the online tables hold too.
    const crashed = await openOnceGone(dir);
    // Read beside the system, as the query commands read a folder a server holds.
    const crashedDb = openDatabaseForReading(join(dir, DATABASE_FILE));
    const torn = crashedDb
      .prepare('SELECT COUNT(*) FROM bronze_events b WHERE NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = b.user_id AND r.movie_id = b.movie_id)')
      .pluck()
      .get();
    expect(torn).toBe(0);
    const ingested = new Set(crashedDb.prepare('SELECT event_id FROM bronze_events').pluck().all() as string[]);
    await batch(crashed);
    const after = onlineTables(crashedDb);
    crashedDb.close();
    await crashed.close();

    // The clean run: the same events, those the crashed server committed, with no crash.
    const cleanDir = tempDir();
    const clean = openLocalSystem(cleanDir, recordingLogger(), { create: true });
    await clean.features.upsertMovies(data.movies);
    for (const chunk of chunks) {
      const committed = chunk.filter((e) => ingested.has(String(e.event_id)));
      if (committed.length > 0) await clean.pipeline.publish(committed);
    }
    await batch(clean);
    const cleanDb = openDatabaseForReading(join(cleanDir, DATABASE_FILE));
    expect(after).toEqual(onlineTables(cleanDb));
    cleanDb.close();
    await clean.close();
    // The stream was cut, and every event acknowledged before it is in.
    expect(acknowledged).toBeLessThan(chunks.length);
    expect(ingested.size).toBeGreaterThanOrEqual(valid);
  }, 180_000);
});
