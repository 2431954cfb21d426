/**
 * `npm run local -- import --movielens DIR`: the catalog goes into the feature store, the ratings
 * through a bulk import (bulk-import.ts), which leaves what consuming them in MSK-sized batches
 * would. Re-importing is harmless: each rating has a deterministic event id.
 */
import { statSync } from 'node:fs';
import { detectMovieLens, readMovies, readRatingEvents } from '../movielens';
import { progress } from '../progress';
import type { LocalSystem } from '../system';
import { runBatch, today } from './batch';
import { refuseDemoFolder } from './load-demo';
import { describeCounts } from './serve';
import { say } from '../output';
import type { ConsumeCounts } from '../../lambdas/handlers/consume';

/**
 * Ratings read and written per commit of the import's first pass. A chunk's objects live until it
 * is written: 100,000 ratings' outlived the young generation, and copying them out of it made the
 * pass a quarter slower (25M ratings: 120 and 131 s against 93 and 99 s with 10,000).
 */
export const IMPORT_CHUNK = 10_000;

export async function importMovieLens(system: LocalSystem, dir: string, signal: AbortSignal): Promise<void> {
  await importMovieLensRatings(system, dir, signal);
  if (signal.aborted) {
    say('Interrupted: the ratings read so far are imported; run the same import again to finish (those count as duplicates).');
    return;
  }
  const result = await runBatch(system, today());
  if (result.status === 'failed') throw new Error('the daily batch failed: see above');
}

/** The catalog and the ratings, without the daily batch that follows them; returns the counts and the seconds taken. */
export async function importMovieLensRatings(system: LocalSystem, dir: string, signal: AbortSignal): Promise<{ counts: ConsumeCounts; seconds: number }> {
  const source = detectMovieLens(dir);
  refuseDemoFolder(system);

  const started = performance.now();
  const movies = await readMovies(source);
  await system.features.upsertMovies(movies);
  say(`Catalog: ${movies.length} movies from ${source.moviesFile} (${source.format} format).`);

  const bulk = system.bulkImport();
  const reading = progress('Reading ratings', statSync(source.ratingsFile).size, 'bytes');
  for await (const chunk of readRatingEvents(source, IMPORT_CHUNK, (bytes) => reading.update(bytes))) {
    await bulk.addEvents(chunk);
    if (signal.aborted) break;
  }
  reading.stop();
  let applying: ReturnType<typeof progress> | undefined;
  const counts = await bulk.finish((done, of) => (applying ??= progress('Applying ratings', of, 'events')).update(done));
  applying?.stop();
  const seconds = (performance.now() - started) / 1000;
  say(`Ratings: ${describeCounts(counts)}.`);
  say(`Throughput: ${Math.round(counts.received / seconds)} events/s (${seconds.toFixed(1)} s).`);
  return { counts, seconds };
}
