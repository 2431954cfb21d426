/** Serving at full scale: loading the model, and the recommend handler called in-process. */
import { indexModel } from '../../lambdas/core/model';
import { seededRandom } from '../../lambdas/core/random';
import { createRecommendHandler } from '../../lambdas/handlers/recommend';
import type { Db } from '../../local/sqlite/database';
import { SqliteFeatureStore } from '../../local/sqlite/sqlite-feature-store';
import { SqliteModelStore } from '../../local/sqlite/sqlite-model-store';
import { percentile } from '../stats';

/** Milliseconds from the gold tables to the in-memory index the handler serves from. */
export async function measureModelLoad(db: Db): Promise<number> {
  const models = new SqliteModelStore(db);
  const version = await models.activeVersion();
  if (!version) throw new Error('no model is published');
  const started = performance.now();
  indexModel(await models.load(version));
  return performance.now() - started;
}

/** Latencies (ms) of `requests` recommendation requests for random users after a warm-up, and their mean CPU (ms). */
export async function measureRecommend(db: Db, users: number, requests: number, seed: number): Promise<Latencies> {
  const rnd = seededRandom(seed);
  return recommendLatencies(new SqliteFeatureStore(db), db, () => rnd.int(1, users), 200, requests);
}

export interface Latencies {
  p50: number;
  p99: number;
  /** This process's CPU (user and system) a request, mean. */
  cpuMs: number;
}

/** p50, p99 and CPU (ms) of the recommend handler in-process, for the users `pick` gives, after `warmup` calls. */
async function recommendLatencies(features: SqliteFeatureStore, db: Db, pick: () => number, warmup: number, requests: number): Promise<Latencies> {
  const handler = createRecommendHandler({ features, models: new SqliteModelStore(db), logger: { debug() {}, warn() {}, error() {} } });
  const call = async () => {
    const result = await handler({ rawPath: `/users/${pick()}/recommendations`, rawQueryString: 'limit=10', requestContext: { http: { method: 'GET' } } });
    if (result.statusCode !== 200) throw new Error(`recommend answered ${result.statusCode}: ${result.body}`);
  };
  for (let i = 0; i < warmup; i++) await call();
  const latencies = new Float64Array(requests);
  const cpu = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    await call();
    latencies[i] = performance.now() - started;
  }
  const { user, system } = process.cpuUsage(cpu);
  return { p50: percentile([...latencies], 50), p99: percentile([...latencies], 99), cpuMs: (user + system) / 1000 / requests };
}

/**
 * A user with `count` ratings (movie ids past the catalog, as a hostile client could send): the
 * latency of their recommendations, and of reading their whole profile, which requests no longer do.
 */
export async function measureHeavyRater(db: Db, count: number, requests: number): Promise<Latencies & { fullProfileMs: number }> {
  const userId = 2_000_000_000;
  const insert = db.prepare('INSERT OR REPLACE INTO ratings (user_id, movie_id, rating, event_time, event_id) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(userId, i + 1, 0.5 + (i % 10) / 2, 1_700_000_000_000 + i * 1000, `heavy-${i}`);
    db.prepare(
      `INSERT OR REPLACE INTO user_features (user_id, rating_count, rating_sum, last_active, recent, genres, updated_at)
       VALUES (?, ?, ?, ?, '[]', '{}', 0)`,
    ).run(userId, count, count * 2.75, 1_700_000_000_000 + count * 1000);
  })();
  const features = new SqliteFeatureStore(db);
  const latencies = await recommendLatencies(features, db, () => userId, 20, requests);
  const started = performance.now();
  await features.getUserProfile(userId);
  const fullProfileMs = performance.now() - started;
  return { ...latencies, fullProfileMs };
}
