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

/** Latencies (ms) of `requests` recommendation requests for random users, after a warm-up. */
export async function measureRecommend(db: Db, users: number, requests: number, seed: number): Promise<{ p50: number; p99: number }> {
  const handler = createRecommendHandler({ features: new SqliteFeatureStore(db), models: new SqliteModelStore(db), logger: { info() {}, warn() {}, error() {} } });
  const rnd = seededRandom(seed);
  const call = async () => {
    const result = await handler({ rawPath: `/users/${rnd.int(1, users)}/recommendations`, rawQueryString: 'limit=10', requestContext: { http: { method: 'GET' } } });
    if (result.statusCode !== 200) throw new Error(`recommend answered ${result.statusCode}: ${result.body}`);
  };
  for (let i = 0; i < 200; i++) await call();
  const latencies = new Float64Array(requests);
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    await call();
    latencies[i] = performance.now() - started;
  }
  return { p50: percentile([...latencies], 50), p99: percentile([...latencies], 99) };
}
