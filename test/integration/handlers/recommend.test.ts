import { beforeEach, describe, expect, it } from 'vitest';
import { createConsumeHandler } from '../../../lambdas/handlers/consume';
import type { FeatureStore } from '../../../lambdas/core/ports';
import { DEFAULT_RANKER } from '../../../lambdas/core/recommender';

const CF_SOURCES = DEFAULT_RANKER.cfSources;
import { MAX_LIMIT } from '../../../lambdas/handlers/api-description';
import { createRecommendHandler } from '../../../lambdas/handlers/recommend';
import { generateDemoData } from '../../../local/demo-data';
import { EmbeddedProducer, messageFor } from '../../../local/embedded-producer';
import type { Db } from '../../../local/sqlite/database';
import type { SqliteFeatureStore } from '../../../local/sqlite/sqlite-feature-store';
import type { SqliteModelStore } from '../../../local/sqlite/sqlite-model-store';
import { KAFKA_TIME, mskEvent, mskRecord, rating } from '../../helpers/msk';
import { recordingLogger, runBatchOn, sqliteStores } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

const CATALOG = [
  { movieId: 1, title: 'Alpha (1990)', genres: ['Comedy'] },
  { movieId: 2, title: 'Beta (1991)', genres: ['Comedy', 'Romance'] },
  { movieId: 3, title: 'Gamma (1992)', genres: ['Horror'] },
  { movieId: 4, title: 'Delta (1993)', genres: ['Horror', 'Thriller'] },
  { movieId: 5, title: 'Epsilon (1994)', genres: ['Drama'] },
  { movieId: 6, title: 'Zeta (1995)', genres: ['Drama'] },
];

/** Comedy fans rate 1 and 2, horror fans 3 and 4; everyone has seen 5. */
const HISTORY: [number, number, number][] = [
  [1, 1, 5], [1, 2, 4.5], [1, 5, 3],
  [2, 1, 4], [2, 2, 5], [2, 5, 3.5],
  [3, 3, 5], [3, 4, 4.5], [3, 5, 3],
  [4, 3, 4], [4, 4, 5], [4, 5, 4], [4, 6, 2],
];

function get(path: string, method = 'GET') {
  const [rawPath, rawQueryString = ''] = path.split('?');
  return { rawPath: rawPath!, rawQueryString, requestContext: { http: { method } } };
}

describe('recommend handler on SQLite', () => {
  const tempDir = useTempDir();
  let db: Db;
  let features: SqliteFeatureStore;
  let models: SqliteModelStore;
  let consume: ReturnType<typeof createConsumeHandler>;
  let handler: ReturnType<typeof createRecommendHandler>;
  let stores: ReturnType<typeof sqliteStores>;
  let offset = 0;
  const DAY = new Date(KAFKA_TIME).toISOString().slice(0, 10);

  const send = (events: Record<string, unknown>[]) => consume(mskEvent(events.map((e) => mskRecord(e, offset++))));
  const call = async (path: string, method?: string) => {
    const res = await handler(get(path, method));
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown>, headers: res.headers };
  };

  beforeEach(async () => {
    stores = sqliteStores(tempDir());
    ({ db, features, models } = stores);
    const logger = recordingLogger();
    await features.upsertMovies(CATALOG);
    consume = createConsumeHandler({ lake: stores.lake, features, logger });
    handler = createRecommendHandler({ features, models, logger });
    await send(HISTORY.map(([u, m, r]) => rating(u, m, r, Date.UTC(2026, 10, 1, u, m), `h-${u}-${m}`)));
    return () => db.close();
  });

  it('answers 200 with no items before any model is published', async () => {
    const res = await call('/users/1/recommendations');
    expect(res).toMatchObject({ status: 200, body: { modelVersion: null, items: [] } });
    expect((await call('/health')).body).toEqual({ status: 'ok', modelVersion: null });
  });

  describe('with a model', () => {
    beforeEach(async () => {
      await runBatchOn(stores, DAY);
    });

    it('serves cold-start recommendations to an unknown user, most popular first', async () => {
      const res = await call('/users/999/recommendations?limit=3');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ userId: 999, coldStart: true });
      const items = res.body.items as { movieId: number; reason: string }[];
      expect(items[0]).toMatchObject({ movieId: 5, reason: 'popular overall' });
      expect(items).toHaveLength(3);
    });

    it('changes recommendations as soon as a new user rates, excluding what they rated', async () => {
      const before = await call('/users/50/recommendations?limit=5');
      await send([rating(50, 3, 5, '2026-11-24T10:00:00Z', 'n1')]);
      const after = await call('/users/50/recommendations?limit=5');
      expect(after.body.coldStart).toBe(false);
      const items = after.body.items as { movieId: number; reason: string }[];
      expect(items.map((i) => i.movieId)).not.toContain(3);
      expect(items.find((i) => i.movieId === 4)?.reason).toBe('similar to Gamma (1992)');
      expect(after.body.items).not.toEqual(before.body.items);
    });

    it('filters by genre', async () => {
      const res = await call('/users/1/recommendations?genre=Horror');
      const items = res.body.items as { genres: string[] }[];
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((i) => i.genres.includes('Horror'))).toBe(true);
    });

    it('lists similar movies, and 404s an unknown movie', async () => {
      const res = await call('/movies/3/similar?limit=1');
      expect(res).toMatchObject({ status: 200, body: { movieId: 3, title: 'Gamma (1992)' } });
      expect(res.body.items).toEqual([expect.objectContaining({ movieId: 4, reason: 'similar to Gamma (1992)' })]);
      expect(await call('/movies/77/similar')).toMatchObject({ status: 404, body: { error: 'movie 77 is not in the catalog' } });
    });

    it('picks up a newly published model without a restart', async () => {
      const first = (await call('/health')).body.modelVersion;
      await send([rating(60, 6, 5, '2026-11-24T10:00:00Z', 'x'), rating(60, 3, 5, '2026-11-24T10:00:00Z', 'y')]);
      await runBatchOn(stores, DAY);
      const second = (await call('/health')).body.modelVersion;
      expect(second).not.toBe(first);
      expect(second).toBe(await models.activeVersion());
    });

    it.each([
      ['/users/0/recommendations', 400, 'userId must be an integer from 1 to 2147483647'],
      ['/users/-4/recommendations', 400, 'userId must be an integer from 1 to 2147483647'],
      ['/users/abc/recommendations', 400, 'userId must be an integer from 1 to 2147483647'],
      ['/users/1.5/recommendations', 400, 'userId must be an integer from 1 to 2147483647'],
      ['/users/99999999999/recommendations', 400, 'userId must be an integer from 1 to 2147483647'],
      ['/users/%E0%A4%A/recommendations', 400, 'path is not valid percent-encoding'],
      ['/users/1/recommendations?limit=0', 400, `limit must be an integer from 1 to ${MAX_LIMIT}`],
      ['/users/1/recommendations?limit=101', 400, `limit must be an integer from 1 to ${MAX_LIMIT}`],
      ['/users/1/recommendations?limit=ten', 400, `limit must be an integer from 1 to ${MAX_LIMIT}`],
      ['/users/1/recommendations?limit=', 400, `limit must be an integer from 1 to ${MAX_LIMIT}`],
      ['/users/1/recommendations?limit=5&limit=6', 400, 'query parameter limit is given more than once'],
      ['/users/1/recommendations?genre=Nope', 400, 'unknown genre "Nope"'],
      ['/users/1/recommendations?limt=5', 400, 'unknown query parameter "limt"'],
      ['/movies/1/similar?genre=Comedy', 400, 'unknown query parameter "genre"'],
      ['/movies/x/similar', 400, 'movieId must be an integer from 1 to 2147483647'],
      ['/nowhere', 404, 'no route for /nowhere'],
      ['/users/1/friends', 404, 'no route for /users/1/friends'],
      // The public API on AWS does not serve a user's features and ratings.
      ['/users/1', 404, 'no route for /users/1'],
      ['/users/1/ratings', 404, 'no route for /users/1/ratings'],
    ])('GET %s answers %i with a JSON error', async (path, status, error) => {
      const res = await call(path);
      expect(res.status).toBe(status);
      expect(res.body.error).toBe(error);
      expect(res.headers?.['content-type']).toMatch(/^application\/json/);
    });

    it('lists the known genres with an unknown-genre error', async () => {
      const res = await call('/users/1/recommendations?genre=horror');
      expect(res.body.genres).toEqual(['Comedy', 'Drama', 'Horror', 'Romance', 'Thriller']);
    });

    it('answers 405 to other methods', async () => {
      const res = await call('/users/1/recommendations', 'POST');
      expect(res.status).toBe(405);
      expect(res.headers?.allow).toBe('GET, HEAD');
    });
  });

  it('answers 503 with a JSON body when a store fails, and recovers after', async () => {
    await runBatchOn(stores, DAY);
    const logger = recordingLogger();
    let failing = true;
    const flaky = createRecommendHandler({
      features: {
        readSnapshot: (k) => features.readSnapshot(k),
        writeChanges: (c) => features.writeChanges(c),
        upsertMovies: (m) => features.upsertMovies(m),
        reconcile: (silver, asOf) => features.reconcile(silver, asOf),
        getMovieFeatures: (ids) => features.getMovieFeatures(ids),
        ratedAmong: (id, movies) => features.ratedAmong(id, movies),
        getUserProfile: (id, latest) => features.getUserProfile(id, latest),
        getRankingProfile: async (id, latest) => {
          if (failing) throw new Error('database is locked');
          return features.getRankingProfile(id, latest);
        },
      },
      models,
      logger,
    });
    const failed = await flaky(get('/users/1/recommendations'));
    expect(failed.statusCode).toBe(503);
    expect(JSON.parse(failed.body)).toEqual({ error: 'the service is temporarily unavailable; retry later' });
    expect(logger.lines.some((l) => l.level === 'error')).toBe(true);
    failing = false;
    expect((await flaky(get('/users/1/recommendations'))).statusCode).toBe(200);
  });
});

describe('recommend handler for a heavy rater', () => {
  const tempDir = useTempDir();

  it('reads their latest ratings alone, and still never recommends a movie rated before those', async () => {
    const data = generateDemoData({ users: 150, movies: 1600, seed: 3 });
    const stores = sqliteStores(tempDir());
    const logger = recordingLogger();
    await stores.features.upsertMovies(data.movies);
    const consume = createConsumeHandler({ lake: stores.lake, features: stores.features, logger });
    const producer = new EmbeddedProducer(stores.db);
    const heavy = 50_000;
    // 1,560 of the 1,600 movies: the latest CF_SOURCES of them in the profile, 560 older ones only in the store.
    const rated = CF_SOURCES + 560;
    const ratings = Array.from({ length: rated }, (_, i) => ({
      event_id: `heavy-${i}`, type: 'rating', user_id: heavy, movie_id: i + 1, rating: 1 + (i % 9) / 2,
      timestamp: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    }));
    for (const batch of producer.batches([...data.events, ...ratings].map(messageFor), 1000, KAFKA_TIME)) await consume(batch);
    await runBatchOn(stores, new Date(KAFKA_TIME).toISOString().slice(0, 10));

    const read: number[] = [];
    const features: FeatureStore = Object.assign(Object.create(stores.features) as FeatureStore, {
      getRankingProfile: async (id: number, latest: number) => {
        const profile = await stores.features.getRankingProfile(id, latest);
        read.push(profile?.ratings.length ?? 0);
        return profile;
      },
    });
    const handler = createRecommendHandler({ features, models: stores.models, logger });
    const res = await handler({ rawPath: `/users/${heavy}/recommendations`, rawQueryString: 'limit=20', requestContext: { http: { method: 'GET' } } });
    const items = (JSON.parse(res.body) as { items: { movieId: number }[] }).items;
    expect(read).toEqual([CF_SOURCES]);
    expect(items.length).toBeGreaterThan(0);
    expect(items.filter((i) => i.movieId <= rated)).toEqual([]);

    // Its ranking is held across the lookups' awaits: requests served meanwhile change nothing of it.
    const paths = [`/users/${heavy}/recommendations?limit=20&explain=true`, '/users/1/recommendations?limit=20&explain=true', `/users/${heavy}/recommendations?limit=5`, '/users/2/recommendations'];
    const alone: string[] = [];
    for (const path of paths) alone.push((await handler(get(path))).body);
    expect(await Promise.all(paths.map(async (path) => (await handler(get(path))).body))).toEqual(alone);
    stores.db.close();
  });
});
