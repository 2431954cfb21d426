/**
 * `npm run local -- import --movielens DIR`: the catalog goes into the feature store, the ratings
 * through the same consumer path as live events, in MSK-sized batches. Re-importing is harmless:
 * each rating has a deterministic event id.
 */
import { statSync } from 'node:fs';
import { BATCH_SIZE } from '../embedded-producer';
import { sumCounts } from '../event-pipeline';
import { detectMovieLens, readMovies, readRatingEvents } from '../movielens';
import { progress } from '../progress';
import type { LocalSystem } from '../system';
import { runBatch, today } from './batch';
import type { ConsumeCounts } from '../../lambdas/handlers/consume';
import { refuseDemoFolder } from './load-demo';
import { describeCounts } from './serve';
import { say } from '../output';

export async function importMovieLens(system: LocalSystem, dir: string, signal: AbortSignal): Promise<void> {
  const source = detectMovieLens(dir);
  refuseDemoFolder(system);

  const movies = await readMovies(source);
  await system.features.upsertMovies(movies);
  say(`Catalog: ${movies.length} movies from ${source.moviesFile} (${source.format} format).`);

  const bar = progress('Importing ratings', statSync(source.ratingsFile).size, 'bytes');
  const counts: ConsumeCounts[] = [];
  const started = performance.now();
  for await (const chunk of readRatingEvents(source, BATCH_SIZE, (bytes) => bar.update(bytes))) {
    counts.push(await system.pipeline.publish(chunk));
    if (signal.aborted) break;
  }
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  const total = sumCounts(counts);
  say(`Ratings: ${describeCounts(total)}.`);
  say(`Throughput: ${Math.round(total.received / seconds)} events/s (${seconds.toFixed(1)} s).`);
  if (signal.aborted) {
    say('Interrupted: run the same import again to finish; the events already imported count as duplicates.');
    return;
  }

  const result = await runBatch(system, today());
  if (result.status === 'failed') throw new Error('the daily batch failed: see above');
}
