/**
 * Kafka delivers at least once and in no particular order across partitions: whatever the
 * batching, order, duplicates and replays of the same events, the online features, silver and the
 * recommendations must equal those of a clean run that consumed each event once, in time order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConsumeHandler } from '../../../lambdas/handlers/consume';
import { createRecommendHandler } from '../../../lambdas/handlers/recommend';
import { generateDemoData } from '../../../local/demo-data';
import { EmbeddedProducer, messageFor } from '../../../local/embedded-producer';
import { recordingLogger, runBatchOn, sqliteStores } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

const DATE = '2026-11-24';
const KAFKA_TIME = Date.parse(`${DATE}T12:00:00Z`);
const catalog = generateDemoData({ users: 1, movies: 15, seed: 3 }).movies;

const event = fc.record({
  user_id: fc.integer({ min: 1, max: 8 }),
  movie_id: fc.integer({ min: 1, max: 15 }),
  rating: fc.integer({ min: 1, max: 10 }).map((h) => h / 2),
  timestamp: fc.integer({ min: KAFKA_TIME - 5 * 86_400_000, max: KAFKA_TIME - 1 }),
});
const events = fc
  .array(event, { minLength: 5, maxLength: 80 })
  .map((list) => list.map((e, i) => ({ event_id: `e${i}`, type: 'rating', ...e })));

type Stores = ReturnType<typeof sqliteStores>;

/** What the online store, silver and the API show, without the batch times that mark the writes. */
async function view(stores: Stores) {
  const all = (sql: string) => stores.db.prepare(sql).all();
  const api = createRecommendHandler({ features: stores.features, models: stores.models, logger: recordingLogger() });
  const answers = [];
  for (let u = 1; u <= 8; u++) {
    answers.push((await api({ rawPath: `/users/${u}/recommendations`, rawQueryString: 'limit=5', requestContext: { http: { method: 'GET' } } })).body);
  }
  return {
    ratings: all('SELECT * FROM ratings ORDER BY user_id, movie_id'),
    users: (all('SELECT * FROM user_features ORDER BY user_id') as Record<string, unknown>[]).map(({ updated_at: _, genres, ...u }) => ({
      ...u,
      genres: JSON.parse(genres as string) as unknown,
    })),
    movies: all('SELECT movie_id, rating_count, rating_sum FROM movie_features ORDER BY movie_id'),
    global: all('SELECT * FROM global_stats'),
    silver: [
      all('SELECT * FROM silver_ratings ORDER BY user_id, movie_id'),
      all('SELECT * FROM silver_user_features ORDER BY user_id'),
      all('SELECT * FROM silver_movie_features ORDER BY movie_id'),
    ],
    answers,
  };
}

describe('replays, duplicates and shuffles (property)', () => {
  const tempDir = useTempDir();

  it('end in the state of a clean, once-in-order run', async () => {
    await fc.assert(
      fc.asyncProperty(
        events,
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat({ max: 9 }), { minLength: 1, maxLength: 10 }),
        async (list, batchSize, order, replays) => {
          const run = async (messages: Record<string, unknown>[], size: number, replayed: (batch: number) => number) => {
            const stores = sqliteStores(tempDir());
            await stores.features.upsertMovies(catalog);
            const consume = createConsumeHandler({ lake: stores.lake, features: stores.features, logger: recordingLogger() });
            const batches = new EmbeddedProducer(stores.db).batches(messages.map(messageFor), size, KAFKA_TIME);
            for (const [i, batch] of batches.entries()) for (let r = 0; r <= replayed(i); r++) await consume(batch);
            await runBatchOn(stores, DATE);
            const seen = await view(stores);
            stores.db.close();
            return seen;
          };

          const clean = await run([...list].sort((a, b) => a.timestamp - b.timestamp), 1000, () => 0);
          // Shuffled by the generated keys, some events sent twice, batches cut at another size, some replayed.
          const shuffled = list
            .map((e, i) => ({ e, key: order[i % order.length]! * 1000 + i }))
            .sort((a, b) => a.key - b.key)
            .map(({ e }) => e);
          const messy = [...shuffled, ...shuffled.filter((_, i) => i % 3 === 0)];
          const replayedRun = await run(messy, batchSize, (i) => (replays[i % replays.length]! > 6 ? 1 : 0));
          expect(replayedRun).toEqual(clean);
        },
      ),
      { numRuns: 15, seed: 21 },
    );
  }, 120_000);
});
