import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SILVER_RATINGS } from '../../../lambdas/core/lake/batch-queries';
import { BATCH_TASKS, type BatchTask } from '../../../lambdas/core/lake/daily-batch-workflow';
import { TRANSIENT_ERROR } from '../../../lambdas/core/transient-error';
import { bayesianMean, globalMean } from '../../../lambdas/core/features';
import type { BatchState } from '../../../lambdas/handlers/batch/batch-state';
import { createConsumeHandler } from '../../../lambdas/handlers/consume';
import { runDailyBatch, type BatchResult } from '../../../local/batch-runner';
import { generateDemoData } from '../../../local/demo-data';
import { EmbeddedProducer, messageFor } from '../../../local/embedded-producer';
import { openDatabase } from '../../../local/sqlite/database';
import { SqliteBatchLake } from '../../../local/sqlite/sqlite-batch-lake';
import { SqliteBatchSqlEngine } from '../../../local/sqlite/sqlite-batch-sql-engine';
import { batchHandlers } from '../../../local/system';
import { recordingLogger, runBatchOn, sqliteStores } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

const DAY_0 = '2026-11-22';
const DAY_1 = '2026-11-23';
const DAY_2 = '2026-11-24';
const data = generateDemoData({ users: 80, movies: 60, seed: 7 });
const half = Math.floor(data.events.length / 2);

type Stores = ReturnType<typeof sqliteStores>;

/** Consumes events as MSK batches whose Kafka time falls on `day`. */
async function consumeOn(stores: Stores, events: Record<string, unknown>[], day: string): Promise<void> {
  const consume = createConsumeHandler({ lake: stores.lake, features: stores.features, logger: recordingLogger() });
  const producer = new EmbeddedProducer(stores.db);
  for (const batch of producer.batches(events.map(messageFor), 500, Date.parse(`${day}T12:00:00Z`))) await consume(batch);
}

/** A database with the catalog, half the events ingested on day 1 and the rest on day 2. */
async function loaded(dir: string): Promise<Stores> {
  const stores = sqliteStores(dir);
  await stores.features.upsertMovies(data.movies);
  await consumeOn(stores, data.events.slice(0, half), DAY_1);
  await consumeOn(stores, data.events.slice(half), DAY_2);
  return stores;
}

/** The catalog, the first half of the events ingested on DAY_0 and DAY_1 but the first `held`, and DAY_1's batch run. */
async function ranDayOne(dir: string, held = 0): Promise<Stores> {
  const stores = sqliteStores(dir);
  await stores.features.upsertMovies(data.movies);
  await consumeOn(stores, data.events.slice(held, half / 2), DAY_0);
  await consumeOn(stores, data.events.slice(half / 2, half), DAY_1);
  await runBatchOn(stores, DAY_1);
  return stores;
}

const OUTPUT_TABLES = [
  'silver_ratings',
  'silver_user_features',
  'silver_movie_features',
  'gold_manifest',
  'gold_head_weights',
  'gold_movies',
  'gold_neighbour_lists',
  'gold_popularity',
];

/** The date's silver and gold outputs, every row of every table in key order, as bytes. */
function outputs(stores: Stores, date: string): string {
  return OUTPUT_TABLES.map((table) => {
    const n = (stores.db.pragma(`table_info(${table})`) as unknown[]).length;
    const order = Array.from({ length: n }, (_, i) => i + 1).join(', ');
    const rows = stores.db.prepare(`SELECT * FROM ${table} WHERE dt = ? ORDER BY ${order}`).raw().all(date);
    return `${table}\n${rows.map((r) => JSON.stringify(r)).join('\n')}`;
  }).join('\n');
}

/** What serving reads: online features and the model pointer. */
function online(stores: Stores): string {
  const all = (sql: string) => JSON.stringify(stores.db.prepare(sql).raw().all());
  return [
    all('SELECT * FROM user_features ORDER BY user_id'),
    all('SELECT * FROM movie_features ORDER BY movie_id'),
    all('SELECT * FROM ratings ORDER BY user_id, movie_id'),
    all('SELECT * FROM global_stats'),
    all('SELECT version FROM model_pointer'),
  ].join('\n');
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('daily batch on SQLite', () => {
  const tempDir = useTempDir();
  let clean: { outputs: string; online: string };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'movierec-clean-'));
    const stores = await loaded(dir);
    await runBatchOn(stores, DAY_2);
    clean = { outputs: outputs(stores, DAY_2), online: online(stores) };
    stores.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes silver features that equal the online ones', async () => {
    const stores = await loaded(tempDir());
    await runBatchOn(stores, DAY_2);
    const lake = new SqliteBatchLake(stores.db);
    const users = await lake.readUserFeatures(DAY_2);
    const movies = await lake.readMovieFeatures(DAY_2);
    const snapshot = await stores.features.readSnapshot({
      userIds: users.map((u) => u.userId),
      movieIds: movies.map((m) => m.movieId),
      pairs: [],
    });
    expect(users.length).toBe(80);
    for (const u of users) {
      // updatedAt is the time of the last change: the batch's is set when it publishes.
      expect({ ...u, updatedAt: 0 }).toEqual({ ...snapshot.users.get(u.userId)!, updatedAt: 0 });
    }
    // And as the same texts, those the consumer wrote too: publish compares them unparsed.
    const texts = (table: string, where: string) =>
      stores.db.prepare(`SELECT user_id, recent, genres FROM ${table} WHERE ${where} ORDER BY user_id`).raw().all(DAY_2);
    expect(texts('user_features', '? IS NOT NULL')).toEqual(texts('silver_user_features', 'dt = ?'));
    // The Bayesian mean uses the global mean of all the date's ratings.
    const mean = globalMean(snapshot.global);
    const onlineMovies = await stores.features.getMovieFeatures(movies.map((m) => m.movieId));
    for (const m of movies) {
      const onlineMovie = onlineMovies.get(m.movieId)!;
      expect([m.ratingCount, m.ratingSum]).toEqual([onlineMovie.ratingCount, onlineMovie.ratingSum]);
      expect(m.bayesianMean).toBe(bayesianMean(m.ratingCount, m.ratingSum, mean));
    }
    stores.db.close();
  });

  it('counts only what was ingested by the end of the date', async () => {
    const stores = await loaded(tempDir());
    await runBatchOn(stores, DAY_1);
    const ratings = stores.db.prepare('SELECT COUNT(*) FROM silver_ratings WHERE dt = ?').pluck().get(DAY_1) as number;
    const total = stores.db.prepare('SELECT COUNT(*) FROM ratings').pluck().get() as number;
    expect(ratings).toBeGreaterThan(0);
    expect(ratings).toBeLessThan(total);
    stores.db.close();
  });

  it('gives byte-identical silver and gold outputs when a date is run again', async () => {
    const stores = await loaded(tempDir());
    await runBatchOn(stores, DAY_2);
    const first = outputs(stores, DAY_2);
    await runBatchOn(stores, DAY_2);
    expect(sha(outputs(stores, DAY_2))).toBe(sha(first));
    expect(outputs(stores, DAY_2)).toBe(clean.outputs);
    expect(online(stores)).toBe(clean.online);
    stores.db.close();
  });

  const steps = BATCH_TASKS.filter((t): t is Exclude<BatchTask, 'RecordFailure'> => t !== 'RecordFailure');
  it.each(steps.flatMap((step) => [[step, 'before'] as const, [step, 'after'] as const]))(
    'recovers from a crash in %s (%s its work) with a re-run that ends as a clean run',
    async (step, when) => {
      const stores = await loaded(tempDir());
      const handlers = batchHandlers(stores.db, stores.features, stores.models, { now: () => new Date(`${DAY_2}T23:59:59.999Z`) });
      const real = handlers[step] as (input: never) => Promise<unknown>;
      handlers[step] = async (input: never) => {
        if (when === 'after') await real(input);
        throw new Error(`injected crash in ${step}`);
      };
      const failed = await runDailyBatch(handlers, { date: DAY_2 }, { retryIntervalMs: 0 });
      expect(failed.status).toBe('failed');
      expect(failed.steps.find((s) => s.status === 'failed')?.error).toBe(`Error: injected crash in ${step}`);
      const run = stores.db.prepare('SELECT dt, status, error, cause FROM batch_runs ORDER BY run_id DESC LIMIT 1').get();
      expect(run).toEqual({ dt: DAY_2, status: 'failed', error: 'Error', cause: expect.stringContaining(`injected crash in ${step}`) });

      await runBatchOn(stores, DAY_2);
      expect(outputs(stores, DAY_2)).toBe(clean.outputs);
      expect(online(stores)).toBe(clean.online);
      stores.db.close();
    },
  );

  it('retries a step that failed with a transient error', async () => {
    const stores = await loaded(tempDir());
    const handlers = batchHandlers(stores.db, stores.features, stores.models, { now: () => new Date(`${DAY_2}T23:59:59.999Z`) });
    const real = handlers.GoldModel;
    let calls = 0;
    handlers.GoldModel = async (input: never) => {
      if (++calls === 1) throw Object.assign(new Error('database is locked'), { name: TRANSIENT_ERROR });
      return real(input);
    };
    const result = await runDailyBatch(handlers, { date: DAY_2 }, { retryIntervalMs: 0 });
    expect(result.status).toBe('succeeded');
    expect(result.steps.filter((s) => s.state === 'GoldModel').map((s) => s.status)).toEqual(['failed', 'retried', 'succeeded']);
    expect(outputs(stores, DAY_2)).toBe(clean.outputs);
    stores.db.close();
  });

  it('retries a step that found the database held by another connection, and ends as a clean run', async () => {
    const dir = tempDir();
    const stores = await loaded(dir);
    stores.db.pragma('busy_timeout = 50');
    const other = openDatabase(join(dir, 'movierec.db'));
    other.exec('BEGIN IMMEDIATE');
    // The first attempt waits 50 ms for the lock and gives up; the other connection lets go before the retry.
    setTimeout(() => other.exec('COMMIT'), 150);
    const handlers = batchHandlers(stores.db, stores.features, stores.models, { now: () => new Date(`${DAY_2}T23:59:59.999Z`) });
    const result = await runDailyBatch(handlers, { date: DAY_2 }, { retryIntervalMs: 400 });
    other.close();
    expect(result.status).toBe('succeeded');
    expect(result.steps.filter((s) => s.state === 'BronzeToSilver').map((s) => s.status)).toEqual(['failed', 'retried', 'succeeded']);
    expect(result.steps[1]?.error).toMatch(/^TransientError: the database is busy/);
    expect(outputs(stores, DAY_2)).toBe(clean.outputs);
    stores.db.close();
  });

  it('corrects drifted online features, and keeps those changed after the run', async () => {
    const stores = await loaded(tempDir());
    stores.db.prepare('UPDATE user_features SET rating_count = rating_count + 7 WHERE user_id IN (1, 2)').run();
    // User 2 then rates again after the batch's as-of time: their online features are newer.
    await consumeOn(stores, [{ event_id: 'late', type: 'rating', user_id: 2, movie_id: 60, rating: 5, timestamp: '2026-11-25T01:00:00Z' }], '2026-11-25');
    const before = (await stores.features.getUserProfile(2))!.features.ratingCount;
    await runBatchOn(stores, DAY_2);
    const truth = stores.db.prepare('SELECT COUNT(*) FROM ratings WHERE user_id = ?').pluck();
    expect((await stores.features.getUserProfile(1))!.features.ratingCount).toBe(truth.get(1));
    expect((await stores.features.getUserProfile(2))!.features.ratingCount).toBe(before);
    stores.db.close();
  });

  it('writes only the online features that differ from silver', async () => {
    const stores = await loaded(tempDir());
    const publish = (r: BatchResult) => (r.output as Required<Pick<BatchState, 'publish'>>).publish;
    const first = publish(await runBatchOn(stores, DAY_2));
    expect(first.replaced + first.unchanged + first.kept).toBe(80 + 60);
    // The consumers keep users' features as silver has them; a movie's mean moves with every rating.
    expect(first.unchanged).toBeGreaterThanOrEqual(80);
    expect(publish(await runBatchOn(stores, DAY_2))).toMatchObject({ replaced: 0, kept: 0, unchanged: 140 });
    stores.db.prepare('UPDATE user_features SET genres = ? WHERE user_id = 1').run('{}');
    stores.db.prepare('UPDATE movie_features SET rating_sum = rating_sum + 1 WHERE movie_id = 5').run();
    stores.db.prepare('DELETE FROM user_features WHERE user_id = 2').run();
    expect(publish(await runBatchOn(stores, DAY_2))).toMatchObject({ replaced: 3, kept: 0, unchanged: 137 });
    // The values silver holds, stamped with the run's as-of time.
    const lake = new SqliteBatchLake(stores.db);
    const silverUsers = new Map((await lake.readUserFeatures(DAY_2)).map((u) => [u.userId, u]));
    for (const id of [1, 2]) expect((await stores.features.getUserProfile(id))!.features).toEqual({ ...silverUsers.get(id), updatedAt: Date.parse(`${DAY_2}T23:59:59.999Z`) });
    const silverMovie = (await lake.readMovieFeatures(DAY_2)).find((m) => m.movieId === 5);
    expect((await stores.features.getMovieFeatures([5])).get(5)).toEqual({ ...silverMovie, updatedAt: Date.parse(`${DAY_2}T23:59:59.999Z`) });
    stores.db.close();
  });

  it('restores the ratings and global statistics a consumer batch never applied, as a clean run has them', async () => {
    const stores = await loaded(tempDir());
    // Bronze holds these users' events, the online tables lost them: the state a torn write left.
    stores.db.exec(`DELETE FROM ratings WHERE user_id IN (3, 4);
                    UPDATE ratings SET rating = 0.5 WHERE user_id = 5;
                    UPDATE global_stats SET rating_count = rating_count - 40, rating_sum = rating_sum - 99`);
    await runBatchOn(stores, DAY_2);
    expect(online(stores)).toBe(clean.online);
    stores.db.close();
  });

  it("restores, the day after a run, the pairs of the day's bronze; a full run restores every pair", async () => {
    const stores = await ranDayOne(tempDir());
    await consumeOn(stores, data.events.slice(half), DAY_2);
    const pairsOf = (day: string) =>
      stores.db
        .prepare(
          `SELECT DISTINCT b.user_id || ':' || b.movie_id FROM bronze_events b JOIN lake_objects o ON o.object_id = b.object_id
           WHERE o.area = 'events' AND o.dt = ?`,
        )
        .pluck()
        .all(day) as string[];
    // The merge onto day 1 reads the bronze of days 1 and 2.
    const merged = new Set([...pairsOf(DAY_1), ...pairsOf(DAY_2)]);
    const torn = pairsOf(DAY_2).slice(0, 3);
    const older = pairsOf(DAY_0).filter((p) => !merged.has(p)).slice(0, 2);
    expect(older).toHaveLength(2);
    // A torn write of day 2's events, and older ratings lost from the online table besides.
    const drop = stores.db.prepare("DELETE FROM ratings WHERE user_id || ':' || movie_id = ?");
    for (const pair of [...torn, ...older]) drop.run(pair);
    const has = (pair: string) => stores.db.prepare("SELECT COUNT(*) FROM ratings WHERE user_id || ':' || movie_id = ?").pluck().get(pair) === 1;

    await runBatchOn(stores, DAY_2);
    expect(torn.map(has)).toEqual([true, true, true]);
    expect(older.map(has)).toEqual([false, false]);
    await runBatchOn(stores, DAY_2, { full: true });
    expect(older.map(has)).toEqual([true, true]);
    const ratings = (state: string) => state.split('\n')[2];
    expect(ratings(online(stores))).toBe(ratings(clean.online));
    stores.db.close();
  });

  it('restores every pair once the ratings it last restored are replaced by a run that did not publish', async () => {
    const stores = await ranDayOne(tempDir(), 20);
    // Events that reached the day before's bronze after DAY_1's run, their consumer batch torn.
    const late = data.events.slice(0, 20) as { user_id: number; movie_id: number }[];
    await consumeOn(stores, late, DAY_0);
    const drop = stores.db.prepare('DELETE FROM ratings WHERE user_id = ? AND movie_id = ?');
    for (const e of late) drop.run(e.user_id, e.movie_id);
    // A full rebuild of DAY_1 takes them into its silver, and fails before it publishes.
    const handlers = batchHandlers(stores.db, stores.features, stores.models, { now: () => new Date(`${DAY_1}T23:59:59.999Z`) });
    handlers.Publish = () => Promise.reject(new Error('injected crash in Publish'));
    expect((await runDailyBatch(handlers, { date: DAY_1, full: true }, { retryIntervalMs: 0 })).status).toBe('failed');

    await consumeOn(stores, data.events.slice(half), DAY_2);
    await runBatchOn(stores, DAY_2);
    const has = stores.db.prepare('SELECT COUNT(*) FROM ratings WHERE user_id = ? AND movie_id = ?').pluck();
    expect(late.map((e) => has.get(e.user_id, e.movie_id))).toEqual(late.map(() => 1));
    stores.db.close();
  });

  it("starts a merged day's user features from its base's, unless the catalog or the base's ratings changed since", async () => {
    const stores = await ranDayOne(tempDir());
    await consumeOn(stores, data.events.slice(half), DAY_2);
    // Base's counts off by 1,000: a day merged onto them carries the difference.
    const tamper = () => stores.db.prepare('UPDATE silver_user_features SET rating_count = rating_count + 1000 WHERE dt = ?').run(DAY_1);
    const counts = () => stores.db.prepare('SELECT user_id, rating_count FROM silver_user_features WHERE dt = ? ORDER BY user_id').raw().all(DAY_2);
    const computed = () =>
      stores.db.prepare('SELECT user_id, COUNT(*) FROM silver_ratings WHERE dt = ? GROUP BY user_id ORDER BY user_id').raw().all(DAY_2) as [number, number][];
    const inBase = new Set(stores.db.prepare('SELECT user_id FROM silver_user_features WHERE dt = ?').pluck().all(DAY_1));
    tamper();
    expect(((await runBatchOn(stores, DAY_2)).output as BatchState).silver).toMatchObject({ base: DAY_1 });
    expect(counts()).toEqual(computed().map(([user, n]) => [user, inBase.has(user) ? n + 1000 : n]));
    expect(inBase.size).toBeGreaterThan(0);

    // Base's ratings rebuilt by a run that stopped before its features: they are not a start.
    await new SqliteBatchSqlEngine(stores.db).run(SILVER_RATINGS, DAY_1, { from: DAY_0 });
    await runBatchOn(stores, DAY_2);
    expect(counts()).toEqual(computed());

    // A movie's genres changed since base's features: neither.
    await runBatchOn(stores, DAY_1);
    tamper();
    await stores.features.upsertMovies([{ ...data.movies[0]!, genres: ['Documentary'] }]);
    await runBatchOn(stores, DAY_2);
    expect(counts()).toEqual(computed());
    stores.db.close();
  });

  it('publishes neither an empty model nor an older date over a newer one', async () => {
    const stores = await loaded(tempDir());
    const empty = await runBatchOn(stores, '2026-11-01');
    expect((empty.output as { publish: { activated: boolean; reason: string } }).publish).toMatchObject({
      activated: false,
      reason: 'the model has no ratings',
    });
    expect(await stores.models.activeVersion()).toBeUndefined();

    await runBatchOn(stores, DAY_2);
    const newest = await stores.models.activeVersion();
    const older = await runBatchOn(stores, DAY_1);
    expect((older.output as { publish: { activated: boolean; reason: string } }).publish).toMatchObject({
      activated: false,
      reason: `the active model ${newest} is of a later date`,
    });
    expect(await stores.models.activeVersion()).toBe(newest);
    stores.db.close();
  });
});

describe('the quality gate of the daily batch on SQLite', () => {
  const tempDir = useTempDir();
  type Output = Required<Pick<BatchState, 'gold' | 'publish'>>;
  const output = (r: { output?: unknown }) => r.output as Output;

  /** The stored measure of a date's model, as if it had scored `ndcg` (the served blend's). */
  const raise = (stores: Stores, date: string, ndcg: number) =>
    stores.db.prepare("UPDATE gold_manifest SET manifest = json_set(manifest, '$.evaluation.hybrid.ndcg', ?) WHERE dt = ?").run(ndcg, date);
  const lastRun = (stores: Stores) => {
    const row = stores.db.prepare('SELECT status, details FROM batch_runs ORDER BY run_id DESC LIMIT 1').get() as { status: string; details: string };
    return { status: row.status, details: JSON.parse(row.details) as Output };
  };

  it('keeps with the model its measure on the latest events, and publishes the first model', async () => {
    const stores = await loaded(tempDir());
    const run = output(await runBatchOn(stores, DAY_1));
    expect(run.gold.evaluation).toMatchObject({ protocol: 'the latest 10% of the events by time', k: 10 });
    expect(run.gold.evaluation!.users).toBeGreaterThan(5);
    expect(run.gold.evaluation!.hybrid.ndcg).toBeGreaterThan(0);
    expect(run.gold.gate).toMatchObject({ passed: true, reason: 'no model serves yet', candidate: run.gold.evaluation!.hybrid.ndcg });
    expect((await stores.models.manifest(run.gold.version))!.evaluation).toEqual(run.gold.evaluation);
    expect(run.publish.activated).toBe(true);
    stores.db.close();
  });

  it("refuses to publish a model far below the serving model's nDCG@10, writes it, and the run says why", async () => {
    const stores = await loaded(tempDir());
    const served = output(await runBatchOn(stores, DAY_1)).gold.version;
    raise(stores, DAY_1, 0.99);
    const run = output(await runBatchOn(stores, DAY_2, { train: true }));
    expect(run.gold).toMatchObject({ written: true, gate: { passed: false, serving: 0.99, servingVersion: served, maxDrop: 0.1 } });
    expect(run.publish.activated).toBe(false);
    expect(run.publish.reason).toMatch(new RegExp(`^quality gate: nDCG@10 0\\.\\d{4} against 0\\.9900 for the serving model ${served}, \\d+(\\.\\d)?% lower, more than the 10% allowed$`));
    expect(await stores.models.activeVersion()).toBe(served);
    expect(lastRun(stores)).toMatchObject({ status: 'succeeded', details: { publish: { activated: false, reason: run.publish.reason } } });
    // Written, so that it can be served by hand (`activate`).
    expect((await stores.models.manifest(run.gold.version))!.evaluation).toEqual(run.gold.evaluation);
    await stores.models.activate(run.gold.version);
    expect(await stores.models.activeVersion()).toBe(run.gold.version);
    stores.db.close();
  });

  it("does not write a refused model of the serving model's own date, which it would replace", async () => {
    const stores = await loaded(tempDir());
    const served = output(await runBatchOn(stores, DAY_2)).gold.version;
    raise(stores, DAY_2, 0.99);
    const more = generateDemoData({ users: 20, movies: 60, seed: 8 }).events.map((e) => ({ ...e, event_id: `more-${String(e.event_id)}` }));
    await consumeOn(stores, more, DAY_2);
    const run = output(await runBatchOn(stores, DAY_2));
    expect(run.gold.version).not.toBe(served);
    expect(run.gold).toMatchObject({ written: false, gate: { passed: false } });
    expect(run.publish).toMatchObject({ activated: false, reason: run.gold.gate.reason });
    expect(await stores.models.activeVersion()).toBe(served);
    expect((await stores.models.load(served)).manifest.version).toBe(served);
    expect(await stores.models.manifest(run.gold.version)).toBeUndefined();
    stores.db.close();
  });

  it('lets every model through with a 100% drop allowed', async () => {
    const stores = await loaded(tempDir());
    await runBatchOn(stores, DAY_1);
    raise(stores, DAY_1, 0.99);
    const handlers = batchHandlers(stores.db, stores.features, stores.models, {
      now: () => new Date(`${DAY_2}T23:59:59.999Z`),
      quality: { holdout: { days: 1 }, gate: { maxDrop: 1 } },
    });
    const run = output(await runDailyBatch(handlers, { date: DAY_2, train: true }, { retryIntervalMs: 0 }));
    expect(run.gold.evaluation!.protocol).toBe('the events of the last 1 day by time');
    expect(run.gold.gate).toMatchObject({ passed: true, maxDrop: 1 });
    expect(run.publish.activated).toBe(true);
    stores.db.close();
  });
});

describe('the model between training days on SQLite', () => {
  const tempDir = useTempDir();
  type Output = Required<Pick<BatchState, 'gold' | 'publish' | 'features'>>;
  const output = (r: { output?: unknown }) => r.output as Output;

  it("trains when gold holds no model trained since the last Sunday, then refreshes that model's popularity and catalog", async () => {
    const stores = await loaded(tempDir());
    const first = output(await runBatchOn(stores, DAY_1));
    expect(first.gold).toMatchObject({ trainedOn: DAY_1, nextTraining: '2026-11-29' });
    expect(first.gold.trainingSeconds).toBeGreaterThan(0);

    const next = output(await runBatchOn(stores, DAY_2));
    expect(next.gold).toMatchObject({ trainedOn: DAY_1, nextTraining: '2026-11-29', trainingSeconds: 0, measureSeconds: 0 });
    expect(next.gold.evaluation).toEqual(first.gold.evaluation);
    expect(next.gold.gate).toMatchObject({ passed: true, servingVersion: first.gold.version });
    expect(next.publish.activated).toBe(true);
    const [before, after] = await Promise.all([stores.models.load(first.gold.version), stores.models.load(next.gold.version)]);
    expect(after.head).toEqual(before.head);
    expect(after.neighbours).toEqual(before.neighbours);
    // The day's counts: what training on the day's silver would count.
    const silver = await new SqliteBatchLake(stores.db).readInteractions(DAY_2);
    expect(next.gold.counts).toMatchObject({ ratings: silver.movieIds.length, users: new Set(silver.userIds).size, movies: data.movies.length });
    expect(next.gold.counts.ratings).toBeGreaterThan(first.gold.counts.ratings);
    const counted = new Map<number, number>();
    for (const id of silver.movieIds) counted.set(id, (counted.get(id) ?? 0) + 1);
    expect(after.movies.map((m) => m.ratingCount)).toEqual(after.movies.map((m) => counted.get(m.movieId) ?? 0));
    expect(after.popular).toEqual([...counted.keys()].sort((a, b) => counted.get(b)! - counted.get(a)! || a - b));

    // A re-run of the day refreshes the same model again.
    expect(output(await runBatchOn(stores, DAY_2)).gold.version).toBe(next.gold.version);
    stores.db.close();
  });

  it('trains on a Sunday, and on any day the run asks it to', async () => {
    const stores = await loaded(tempDir());
    await runBatchOn(stores, DAY_1);
    const asked = output(await runBatchOn(stores, DAY_2, { train: true }));
    expect(asked.gold).toMatchObject({ trainedOn: DAY_2 });
    expect(asked.gold.trainingSeconds).toBeGreaterThan(0);
    const sunday = output(await runBatchOn(stores, '2026-11-29'));
    expect(sunday.gold).toMatchObject({ trainedOn: '2026-11-29', nextTraining: '2026-12-06' });
    expect(output(await runBatchOn(stores, '2026-11-30')).gold.trainedOn).toBe('2026-11-29');
    stores.db.close();
  });
});

describe('the incremental daily batch on SQLite', () => {
  const tempDir = useTempDir();
  const DAYS = ['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24'];
  const ratings = data.events.filter((e) => e.type === 'rating' && typeof e.event_id === 'string');
  const quarter = Math.ceil(data.events.length / DAYS.length);
  /** Each day a quarter of the events, and from the second day on re-ratings of earlier ones: some later (they win), some earlier (they lose). */
  const eventsOf = (d: number): Record<string, unknown>[] => [
    ...data.events.slice(d * quarter, (d + 1) * quarter),
    ...ratings.slice(0, d * 15).map((e, i) => ({
      ...e,
      event_id: `${String(e.event_id)}-again-${d}`,
      rating: ((Number(e.rating) + i) % 5) + 0.5,
      timestamp: new Date(Date.parse(String(e.timestamp)) + (i % 3 === 0 ? -1 : 1) * 86_400_000).toISOString(),
    })),
  ];
  const late = [{ event_id: 'late-1', type: 'rating', user_id: 3, movie_id: 7, rating: 1, timestamp: '2026-11-23T23:59:00Z' }];
  const silver = (r: BatchResult) => (r.output as BatchState).silver;

  it("starts a merged day's movie features from its base's, unless the base's ratings were replaced since", async () => {
    const stores = await ranDayOne(tempDir());
    await consumeOn(stores, data.events.slice(half), DAY_2);
    const counts = () => stores.db.prepare('SELECT movie_id, rating_count FROM silver_movie_features WHERE dt = ? ORDER BY movie_id').raw().all(DAY_2);
    const computed = () =>
      stores.db.prepare('SELECT movie_id, COUNT(*) FROM silver_ratings WHERE dt = ? GROUP BY movie_id ORDER BY movie_id').raw().all(DAY_2) as [number, number][];
    const inBase = new Set(stores.db.prepare('SELECT movie_id FROM silver_movie_features WHERE dt = ?').pluck().all(DAY_1));
    // Base's counts off by 1,000: a day merged onto them carries the difference.
    stores.db.prepare('UPDATE silver_movie_features SET rating_count = rating_count + 1000 WHERE dt = ?').run(DAY_1);
    expect(((await runBatchOn(stores, DAY_2)).output as BatchState).silver).toMatchObject({ base: DAY_1 });
    expect(counts()).toEqual(computed().map(([movie, n]) => [movie, inBase.has(movie) ? n + 1000 : n]));
    expect(inBase.size).toBeGreaterThan(0);

    // Base's ratings rebuilt by a run that stopped before its features: its movie features are gone with them.
    await new SqliteBatchSqlEngine(stores.db).run(SILVER_RATINGS, DAY_1, { from: DAY_0 });
    expect(stores.db.prepare('SELECT COUNT(*) FROM silver_movie_features WHERE dt = ?').pluck().get(DAY_1)).toBe(0);
    await runBatchOn(stores, DAY_2);
    expect(counts()).toEqual(computed());
    stores.db.close();
  });

  it('gives byte-identical silver and gold merging one day onto the last as rebuilding from all of bronze, a re-run of an older day included', async () => {
    const merged = sqliteStores(tempDir());
    const rebuilt = sqliteStores(tempDir());
    for (const stores of [merged, rebuilt]) await stores.features.upsertMovies(data.movies);
    for (const [d, day] of DAYS.entries()) {
      for (const stores of [merged, rebuilt]) await consumeOn(stores, eventsOf(d), day);
      // An event that reaches the day before's partition after its batch ran (a consumer lagging past midnight).
      if (day === '2026-11-24') for (const stores of [merged, rebuilt]) await consumeOn(stores, late, '2026-11-23');
      const incremental = await runBatchOn(merged, day);
      const full = await runBatchOn(rebuilt, day, { full: true });
      expect(silver(incremental)).toEqual(d === 0 ? { ratings: expect.any(Number), from: DAYS[0] } : { ratings: expect.any(Number), base: DAYS[d - 1] });
      expect(silver(full)).toEqual({ ratings: silver(incremental)!.ratings, from: DAYS[0] });
      expect(sha(outputs(merged, day))).toBe(sha(outputs(rebuilt, day)));
    }
    expect(merged.db.prepare("SELECT rating FROM silver_ratings WHERE dt = '2026-11-24' AND user_id = 3 AND movie_id = 7").pluck().get()).toBe(1);

    // An older day again, after later ones: it merges onto the day before it.
    const again = await runBatchOn(merged, DAYS[2]!);
    expect(silver(again)).toMatchObject({ base: DAYS[1] });
    await runBatchOn(rebuilt, DAYS[2]!, { full: true });
    expect(outputs(merged, DAYS[2]!)).toBe(outputs(rebuilt, DAYS[2]!));
    expect(online(merged)).toBe(online(rebuilt));
    merged.db.close();
    rebuilt.db.close();
  });
});
