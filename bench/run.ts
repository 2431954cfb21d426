/**
 * `npm run bench [-- --preset small|full] [--runs N] [--head-sizes N,N] [--movielens-ratings N] [--json]`:
 * generates the synthetic workload (fixed seed) and measures its bulk import into a fresh data folder
 * (and, if asked, that of a MovieLens-layout file of N ratings), the daily batch end to end on all of it, EASE's
 * inverse at several sizes (and the whole training with other heads, if asked), model loading and
 * recommendations in-process and over local HTTP at that scale, and consume throughput of more
 * events into that state against a naive baseline. Each measure runs several times; the figures
 * are medians. Progress goes to stderr; with --json, stdout is one JSON object.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../local/sqlite/database';
import { DATABASE_FILE } from '../local/system';
import { importInChild, writeMovieLensFiles, type ImportRun } from './measures/bulk-import';
import { measureConsume, MSK_BATCH } from './measures/consume';
import { measureInversion, trainInChild } from './measures/ease';
import { addBronze, fillOnlineRatings, loadLake, runBatchInChild, type BatchRun } from './measures/full-scale';
import { measureHttp, startServer } from './measures/http-load';
import { measureNaiveConsume } from './measures/naive-consume';
import { measureHeavyRater, measureModelLoad, measureRecommend, type Latencies } from './measures/serving';
import { median, round } from './stats';
import { DAY_MS, dayEvents, generateWorkload, PRESETS, type Preset } from './workload';

/** How much of each measure a preset does; `inversions`: the EASE sizes timed. */
const PLAN: Record<keyof typeof PRESETS, { consumeEvents: number; naiveEvents: number; recommendRequests: number; httpRequests: number; httpWarmup: number; inversions: number[]; oneMoreDay: number }> = {
  small: { consumeEvents: 20_000, naiveEvents: 5_000, recommendRequests: 1_000, httpRequests: 2_000, httpWarmup: 500, inversions: [500, 1000], oneMoreDay: 1_000 },
  full: { consumeEvents: 200_000, naiveEvents: 10_000, recommendRequests: 20_000, httpRequests: 50_000, httpWarmup: 5_000, inversions: [1000, 2000, 3000, 4000], oneMoreDay: 100_000 },
};

/** One user's ratings in the heavy-rater measure: what a hostile client sent in an attack on the API. */
const HEAVY_RATINGS = 300_000;

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'small' },
    runs: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    'head-sizes': { type: 'string' },
    'movielens-ratings': { type: 'string' },
  },
});
const presetName = values.preset as keyof typeof PRESETS;
if (!(presetName in PRESETS)) {
  process.stderr.write(`--preset must be small or full (got ${JSON.stringify(values.preset)})\n`);
  process.exit(2);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 20) {
  process.stderr.write(`--runs must be an integer from 1 to 20 (got ${JSON.stringify(values.runs)})\n`);
  process.exit(2);
}
/** `--head-sizes 2000,3000`: the whole model trained on all of the workload with these heads as well. */
const headSizes = (values['head-sizes'] ?? '').split(',').filter((x) => x !== '').map(Number);
if (!headSizes.every((n) => Number.isInteger(n) && n >= 1 && n <= 20_000)) {
  process.stderr.write(`--head-sizes must be a comma-separated list of integers from 1 to 20000 (got ${JSON.stringify(values['head-sizes'])})\n`);
  process.exit(2);
}
/** `--movielens-ratings 25000000`: a generated MovieLens-layout file of that many ratings imported as well. */
const movieLensRatings = values['movielens-ratings'] === undefined ? undefined : Number(values['movielens-ratings']);
if (movieLensRatings !== undefined && !(Number.isInteger(movieLensRatings) && movieLensRatings >= 1_000 && movieLensRatings <= 100_000_000)) {
  process.stderr.write(`--movielens-ratings must be an integer from 1000 to 100000000 (got ${JSON.stringify(values['movielens-ratings'])})\n`);
  process.exit(2);
}
const preset: Preset = PRESETS[presetName];
const plan = PLAN[presetName];
const say = (line: string) => process.stderr.write(`${line}\n`);
const work = mkdtempSync(join(tmpdir(), 'movierec-bench-'));
const runDir = (name: string) => mkdtempSync(join(work, `${name}-`));

try {
  say(`movierec bench, preset ${presetName}: ${preset.users} users, ${preset.movies} movies, ${preset.ratings} ratings; ${runs} runs each`);
  let started = performance.now();
  const w = generateWorkload(preset);
  say(`workload: ${w.count} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // Bulk import of the workload into a fresh folder, each run in its own process.
  const imports: ImportRun[] = [];
  for (let r = 0; r < runs; r++) {
    const dir = runDir('import');
    imports.push(importInChild(dir, ['workload', presetName]));
    rmSync(dir, { recursive: true, force: true });
    say(`bulk import run ${r + 1}: ${imports[r]!.events} events in ${imports[r]!.seconds.toFixed(1)} s (${Math.round(imports[r]!.events / imports[r]!.seconds)} events/s), peak RSS ${imports[r]!.peak_rss_mb} MB`);
  }
  const movieLensImports: ImportRun[] = [];
  if (movieLensRatings !== undefined) {
    // MovieLens 25M's shape: 162,000 users and 62,000 movies for 25M ratings.
    const scale = movieLensRatings / 25_000_000;
    const ml = generateWorkload({ users: Math.max(1_000, Math.ceil(162_000 * scale)), movies: Math.max(500, Math.ceil(62_000 * scale)), ratings: movieLensRatings }, 7);
    const files = runDir('movielens');
    await writeMovieLensFiles(ml, files);
    say(`MovieLens-layout file: ${ml.count} ratings, ${ml.movies.length} movies`);
    for (let r = 0; r < runs; r++) {
      const dir = runDir('movielens-import');
      movieLensImports.push(importInChild(dir, ['movielens', files]));
      rmSync(dir, { recursive: true, force: true });
      say(`MovieLens import run ${r + 1}: ${movieLensImports[r]!.events} ratings in ${movieLensImports[r]!.seconds.toFixed(1)} s, peak RSS ${movieLensImports[r]!.peak_rss_mb} MB`);
    }
    rmSync(files, { recursive: true, force: true });
  }

  // The daily batch on everything, each run in its own process.
  const dataDir = runDir('full');
  started = performance.now();
  await loadLake(w, dataDir, (done) => say(`  lake: ${done} of ${w.count} events`));
  say(`lake loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const date = new Date(w.times[w.count - 1]!).toISOString().slice(0, 10);
  const batchRuns: BatchRun[] = [];
  for (let r = 0; r < runs; r++) {
    const result = await runBatchInChild(dataDir, date);
    batchRuns.push(result);
    say(`batch run ${r + 1}: ${result.seconds.toFixed(1)} s, peak RSS ${result.peak_rss_mb} MB (${Object.entries(result.steps).map(([s, t]) => `${s} ${t.toFixed(1)}`).join(', ')})`);
  }

  // EASE: the inverse alone at several sizes, and the whole training with larger heads.
  const inversions: Record<string, number> = {};
  for (const n of plan.inversions) {
    const times = Array.from({ length: runs }, (_, r) => measureInversion(n, r + 1));
    inversions[n] = round(median(times), 2);
    say(`EASE inverse of ${n} items: ${times.map((t) => t.toFixed(2)).join(', ')} s`);
  }
  const trainingByHead: Record<string, { seconds: number; peak_rss_mb: number }> = {};
  for (const head of headSizes) {
    const trained = Array.from({ length: runs }, () => trainInChild(dataDir, date, head));
    trainingByHead[head] = { seconds: round(median(trained.map((t) => t.seconds)), 1), peak_rss_mb: Math.round(median(trained.map((t) => t.peak_rss_mb))) };
    say(`training on all ${w.count} events, head of ${head}: ${trained.map((t) => `${t.seconds.toFixed(1)} s, ${t.peak_rss_mb} MB`).join('; ')}`);
  }

  // Serving: the online ratings as consuming would leave them, then the model and requests.
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  fillOnlineRatings(db, date);
  const modelLoads: number[] = [];
  const recommendRuns: Latencies[] = [];
  for (let r = 0; r < runs; r++) {
    modelLoads.push(await measureModelLoad(db));
    recommendRuns.push(await measureRecommend(db, preset.users, plan.recommendRequests, r + 1));
    say(`serving run ${r + 1}: model load ${modelLoads[r]!.toFixed(0)} ms, recommend p50 ${recommendRuns[r]!.p50.toFixed(3)} ms, p99 ${recommendRuns[r]!.p99.toFixed(3)} ms, CPU ${recommendRuns[r]!.cpuMs.toFixed(3)} ms a request`);
  }
  const heavyRuns: Awaited<ReturnType<typeof measureHeavyRater>>[] = [];
  for (let r = 0; r < runs; r++) {
    heavyRuns.push(await measureHeavyRater(db, HEAVY_RATINGS, 200));
    say(`heavy rater run ${r + 1} (${HEAVY_RATINGS} ratings): recommend p50 ${heavyRuns[r]!.p50.toFixed(2)} ms, p99 ${heavyRuns[r]!.p99.toFixed(2)} ms; their whole profile ${heavyRuns[r]!.fullProfileMs.toFixed(0)} ms`);
  }
  db.close();
  const server = await startServer(dataDir);
  const httpRuns: Awaited<ReturnType<typeof measureHttp>>[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      httpRuns.push(await measureHttp(server.port, preset.users, plan.httpRequests, plan.httpWarmup, r + 1));
      say(`http run ${r + 1}: ${Math.round(httpRuns[r]!.rps)} requests/s, p99 ${httpRuns[r]!.p99.toFixed(1)} ms, ${httpRuns[r]!.errors} errors, server CPU ${httpRuns[r]!.serverCpuMs.toFixed(3)} ms a request`);
    }
  } finally {
    await server.stop();
  }

  // Consuming more events into the full-scale state, and the naive baseline on the same events.
  const later = generateWorkload(preset, 43, w.times[w.count - 1]! + 1000);
  const consumeRuns: number[] = [];
  const runningRuns: number[] = [];
  const oursOnPrefix: number[] = [];
  const naiveRuns: number[] = [];
  const eventsPerSecond = (seconds: number[]) => (seconds.length * MSK_BATCH) / seconds.reduce((a, b) => a + b, 0);
  for (let r = 0; r < runs; r++) {
    const copy = runDir('consume');
    cpSync(dataDir, copy, { recursive: true });
    // The events from the database's opening, then as many again from a consumer that has been
    // running: its WAL written over in place rather than grown, its page cache filled.
    const seconds = await measureConsume(later, Math.min(later.count, 2 * plan.consumeEvents), copy);
    rmSync(copy, { recursive: true, force: true });
    const fromOpen = plan.consumeEvents / MSK_BATCH;
    consumeRuns.push(eventsPerSecond(seconds.slice(0, fromOpen)));
    runningRuns.push(eventsPerSecond(seconds.slice(fromOpen)));
    oursOnPrefix.push(eventsPerSecond(seconds.slice(0, plan.naiveEvents / MSK_BATCH)));
    const naiveCopy = runDir('naive');
    cpSync(dataDir, naiveCopy, { recursive: true });
    naiveRuns.push(measureNaiveConsume(later, Math.min(later.count, plan.naiveEvents), naiveCopy));
    rmSync(naiveCopy, { recursive: true, force: true });
    say(`consume run ${r + 1}: ${Math.round(consumeRuns[r]!)} events/s from the opening, ${Math.round(runningRuns[r]!)} running; on the first ${plan.naiveEvents}: ${Math.round(oursOnPrefix[r]!)} vs naive ${Math.round(naiveRuns[r]!)}`);
  }

  // Two more days, each with its events in bronze, merged onto the day before's silver: the first a
  // training day of the model, the second a day between trainings, which refreshes the first's model.
  const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  const moreDays = [dayAfter(date), dayAfter(dayAfter(date))] as const;
  const moreDayRuns: BatchRun[][] = [];
  for (const [i, day] of moreDays.entries()) {
    await addBronze(dataDir, dayEvents(w, plan.oneMoreDay, Date.parse(`${day}T00:00:00Z`), 44 + i), w.count + i * plan.oneMoreDay);
    const dayRuns: BatchRun[] = [];
    for (let r = 0; r < runs; r++) {
      const result = await runBatchInChild(dataDir, day, i === 0 ? { train: true } : {});
      dayRuns.push(result);
      const kind = i === 0 ? 'training day' : 'day between trainings';
      say(`one more day, a ${kind} (${plan.oneMoreDay} events on ${day}) run ${r + 1}: ${result.seconds.toFixed(1)} s, peak RSS ${result.peak_rss_mb} MB (${Object.entries(result.steps).map(([s, t]) => `${s} ${t.toFixed(1)}`).join(', ')})`);
    }
    moreDayRuns.push(dayRuns);
  }
  const [trainingDayRuns, oneMoreDayRuns] = moreDayRuns as [BatchRun[], BatchRun[]];

  const stepMedians = (batch: BatchRun[]) => Object.fromEntries(Object.keys(batch[0]!.steps).map((s) => [s, round(median(batch.map((b) => b.steps[s] ?? NaN)), 2)]));
  const steps = stepMedians(batchRuns);
  const report = {
    preset: presetName,
    workload: { users: preset.users, movies: preset.movies, events: w.count },
    runs,
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', memory_gb: round(totalmem() / 1024 ** 3, 1), node: process.version },
    import_events_per_s: Math.round(median(imports.map((i) => i.events / i.seconds))),
    import_seconds: round(median(imports.map((i) => i.seconds)), 1),
    import_peak_rss_mb: Math.round(median(imports.map((i) => i.peak_rss_mb))),
    ...(movieLensImports.length > 0
      ? {
          movielens_import_ratings: movieLensImports[0]!.events,
          movielens_import_seconds: round(median(movieLensImports.map((i) => i.seconds)), 1),
          movielens_import_events_per_s: Math.round(median(movieLensImports.map((i) => i.events / i.seconds))),
          movielens_import_peak_rss_mb: Math.round(median(movieLensImports.map((i) => i.peak_rss_mb))),
        }
      : {}),
    consume_events_per_s: Math.round(median(consumeRuns)),
    consume_running_events_per_s: Math.round(median(runningRuns)),
    naive_consume_events_per_s: Math.round(median(naiveRuns)),
    consume_vs_naive_ratio: round(median(oursOnPrefix) / median(naiveRuns), 1),
    batch_seconds: round(median(batchRuns.map((b) => b.seconds)), 1),
    batch_step_seconds: steps,
    batch_peak_rss_mb: Math.round(median(batchRuns.map((b) => b.peak_rss_mb))),
    one_more_day_events: plan.oneMoreDay,
    batch_one_more_day_seconds: round(median(oneMoreDayRuns.map((b) => b.seconds)), 1),
    batch_one_more_day_step_seconds: stepMedians(oneMoreDayRuns),
    batch_one_more_day_vs_full_ratio: round(median(oneMoreDayRuns.map((b) => b.seconds)) / median(batchRuns.map((b) => b.seconds)), 3),
    batch_training_day_seconds: round(median(trainingDayRuns.map((b) => b.seconds)), 1),
    batch_training_day_step_seconds: stepMedians(trainingDayRuns),
    ease_inverse_seconds: inversions,
    ...(headSizes.length > 0 ? { training_by_head: trainingByHead } : {}),
    model_load_ms: round(median(modelLoads), 1),
    recommend_p50_ms: round(median(recommendRuns.map((r) => r.p50)), 3),
    recommend_p99_ms: round(median(recommendRuns.map((r) => r.p99)), 3),
    recommend_cpu_ms: round(median(recommendRuns.map((r) => r.cpuMs)), 3),
    heavy_rater_ratings: HEAVY_RATINGS,
    heavy_rater_recommend_p50_ms: round(median(heavyRuns.map((r) => r.p50)), 2),
    heavy_rater_recommend_p99_ms: round(median(heavyRuns.map((r) => r.p99)), 2),
    heavy_rater_vs_typical_p50_ratio: round(median(heavyRuns.map((r) => r.p50)) / median(recommendRuns.map((r) => r.p50)), 1),
    heavy_rater_whole_profile_ms: round(median(heavyRuns.map((r) => r.fullProfileMs)), 0),
    http_rps: Math.round(median(httpRuns.map((r) => r.rps))),
    http_p99_ms: round(median(httpRuns.map((r) => r.p99)), 1),
    http_server_cpu_ms: round(median(httpRuns.map((r) => r.serverCpuMs)), 3),
    http_errors: httpRuns.reduce((n, r) => n + r.errors, 0),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
