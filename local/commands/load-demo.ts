/**
 * Loads the built-in demo into an empty database through the consumer path. The load is marked
 * in progress until it completes, so an interrupted load resumes on the next start, and the
 * events it already consumed count as duplicates.
 */
import { generateDemoData } from '../demo-data';
import { sumCounts } from '../event-pipeline';
import { BATCH_SIZE } from '../embedded-producer';
import { progress } from '../progress';
import type { LocalSystem } from '../system';
import type { ConsumeCounts } from '../../lambdas/handlers/consume';

export const DEMO_META_KEY = 'demo';

/** Imports refuse a folder with the demo in it: the demo's ids would mix with the imported ones. */
export function refuseDemoFolder(system: LocalSystem): void {
  if (system.meta.get(DEMO_META_KEY) !== undefined) {
    throw new Error(
      'this data folder holds the demo data, whose ids would mix with the imported ones: ' +
        'import into another folder with --data-dir DIR, or delete this one first',
    );
  }
}

/** Returns the counts of the load, or undefined when the database needs no demo. */
export async function loadDemoIfEmpty(system: LocalSystem, signal: AbortSignal): Promise<ConsumeCounts | undefined> {
  const state = system.meta.get(DEMO_META_KEY);
  if (state === 'loaded') return undefined;
  if (state === undefined && !system.isEmpty()) return undefined;

  system.meta.set(DEMO_META_KEY, 'loading');
  const demo = generateDemoData();
  await system.features.upsertMovies(demo.movies);
  const bar = progress('Loading the demo events', demo.events.length, 'events');
  const counts: ConsumeCounts[] = [];
  for (let i = 0; i < demo.events.length && !signal.aborted; i += BATCH_SIZE) {
    counts.push(await system.pipeline.publish(demo.events.slice(i, i + BATCH_SIZE)));
    bar.update(Math.min(demo.events.length, i + BATCH_SIZE));
  }
  bar.stop();
  if (!signal.aborted) system.meta.set(DEMO_META_KEY, 'loaded');
  return sumCounts(counts);
}
