/**
 * One bulk import into a fresh data folder, in a process of its own started as `npm run local`
 * starts (so that its peak memory is its own): prints {"seconds", "events", "peak_rss_mb"} as JSON
 * on stdout. Arguments: the data folder, then `workload PRESET` (the bench's events, generated
 * untimed) or `movielens DIR` (reading the files is part of the time).
 */
import { IMPORT_CHUNK, importMovieLensRatings } from '../local/commands/import-movielens';
import { openLocalSystem } from '../local/system';
import { eventAt, generateWorkload, PRESETS } from './workload';

const [dataDir, kind, arg] = process.argv.slice(2) as [string, 'workload' | 'movielens', string];
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const system = openLocalSystem(dataDir, silent, { create: true });
let seconds: number;
let events: number;
if (kind === 'movielens') {
  const imported = await importMovieLensRatings(system, arg, new AbortController().signal);
  seconds = imported.seconds;
  events = imported.counts.received;
} else {
  const w = generateWorkload(PRESETS[arg as keyof typeof PRESETS]);
  await system.features.upsertMovies(w.movies);
  // Kafka time is when the events were produced: after the last of them happened.
  const now = w.times[w.count - 1]! + 1000;
  const started = performance.now();
  const bulk = system.bulkImport();
  for (let start = 0; start < w.count; start += IMPORT_CHUNK) {
    const chunk = [];
    for (let i = start; i < Math.min(w.count, start + IMPORT_CHUNK); i++) chunk.push(eventAt(w, i));
    await bulk.addEvents(chunk, now);
  }
  const counts = await bulk.finish();
  seconds = (performance.now() - started) / 1000;
  events = counts.received;
  if (counts.applied !== w.count) throw new Error(`the workload's events were not all applied: ${JSON.stringify(counts)}`);
}
await system.close();
process.stdout.write(`${JSON.stringify({ seconds, events, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
