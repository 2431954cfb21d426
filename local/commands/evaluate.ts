/**
 * `npm run evaluate -- --movielens DIR | --synthetic RATINGS [--seed 42] [--json]`: splits a dataset per user,
 * trains the batch's model code on the train part, and scores the model, a popularity baseline and
 * the hybrid blend the API serves on the test part. Users with few train ratings (cold start) are
 * reported apart as well.
 */
import { basename } from 'node:path';
import { evaluate, splitPerUser, TRAIN_SHARE, type EvaluationResult, type Interaction } from '../../lambdas/core/evaluation';
import type { RatingEvent } from '../../lambdas/core/event-contract';
import { applyRatings } from '../../lambdas/core/features';
import { indexModel, trainModel } from '../../lambdas/core/model';
import { seededRandom } from '../../lambdas/core/random';
import { rankByNeighbours, rankByPopularity, recommendForUser, type UserInput } from '../../lambdas/core/recommender';
import type { Movie } from '../../lambdas/core/movie';
import { generateDemoData } from '../demo-data';
import { detectMovieLens, readMovies, readRatingEvents } from '../movielens';

export const K = 10;
/** The demo generator's mean ratings per user, to size a synthetic dataset. */
const SYNTHETIC_RATINGS_PER_USER = 50;
/** Users with at most this many train ratings count as cold start. */
export const COLD_START_MAX_RATINGS = 5;

type Scores = Record<'precision@10' | 'recall@10' | 'ndcg@10' | 'map@10' | 'coverage', number>;

export interface EvaluationReport {
  dataset: string;
  protocol: {
    split: string;
    seed: number;
    k: number;
    relevant: string;
    users: number;
    train_ratings: number;
    test_ratings: number;
  };
  results: { model: Scores; popularity: Scores; hybrid: Scores };
  /** Users with at most `max_train_ratings` train ratings (ml-latest-small has none). */
  cold_start: { max_train_ratings: number; users: number; model: Scores; popularity: Scores; hybrid: Scores };
  /** Every test user, known by only `train_ratings_kept` of their train ratings (the model is unchanged). */
  cold_start_simulated: { train_ratings_kept: number; users: number; model: Scores; popularity: Scores; hybrid: Scores };
  model: { algorithm: string; params: unknown };
  train_seconds: number;
  peak_rss_mb: number;
}

export async function evaluateMovieLens(dir: string, seed: number): Promise<EvaluationReport> {
  const source = detectMovieLens(dir);
  const catalog = await readMovies(source);
  const interactions: Interaction[] = [];
  for await (const chunk of readRatingEvents(source, 10_000)) {
    for (const e of chunk) interactions.push({ userId: e.user_id, movieId: e.movie_id, rating: e.rating, timestamp: e.timestamp });
  }
  return evaluateInteractions(basename(source.dir), catalog, interactions, seed);
}

/** A generated dataset of about `ratings` ratings: the demo generator, scaled up (fixed seed). */
export function evaluateSynthetic(ratings: number, seed: number): EvaluationReport {
  const users = Math.max(10, Math.round(ratings / SYNTHETIC_RATINGS_PER_USER));
  const movies = Math.max(50, Math.round(Math.sqrt(ratings) * 3));
  const demo = generateDemoData({ users, movies });
  const interactions = demo.events.flatMap((e): Interaction[] =>
    typeof e.rating === 'number' && typeof e.user_id === 'number' && e.user_id > 0 && typeof e.timestamp === 'string'
      ? [{ userId: e.user_id, movieId: e.movie_id as number, rating: e.rating, timestamp: Date.parse(e.timestamp) }]
      : [],
  );
  return evaluateInteractions(`synthetic (${interactions.length} ratings, ${users} users, ${movies} movies)`, demo.movies, interactions, seed);
}

function evaluateInteractions(dataset: string, catalog: readonly Movie[], interactions: Interaction[], seed: number): EvaluationReport {
  const { train, test } = splitPerUser(interactions, seededRandom(seed));
  const started = performance.now();
  const model = trainModel({
    interactions: { userIds: Int32Array.from(train, (r) => r.userId), movieIds: Int32Array.from(train, (r) => r.movieId) },
    catalog,
    date: 'evaluation',
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const index = indexModel(model);
  const genres = new Map(catalog.map((m) => [m.movieId, m.genres]));
  const catalogSize = new Set(train.map((r) => r.movieId)).size;

  /** Scores the three rankers, each user known by the given profile. */
  const score = (profiles: Map<number, UserInput>, users?: (userId: number) => boolean) => {
    const rated = (userId: number) => new Set(profiles.get(userId)?.ratings.map((r) => r.movieId) ?? []);
    const rankers: Record<'model' | 'popularity' | 'hybrid', (userId: number) => number[]> = {
      model: (userId) => rankByNeighbours(index, rated(userId), K),
      popularity: (userId) => rankByPopularity(index, rated(userId), K),
      hybrid: (userId) => recommendForUser(index, profiles.get(userId), { limit: K }).map((r) => r.movieId),
    };
    const out = {} as Record<keyof typeof rankers, Scores>;
    let n = 0;
    for (const [name, rank] of Object.entries(rankers) as [keyof typeof rankers, (u: number) => number[]][]) {
      const r = evaluate(test, rank, { k: K, catalogSize, ...(users ? { users } : {}) });
      out[name] = scores(r);
      n = r.users;
    }
    return { ...out, users: n };
  };

  const profiles = userProfiles(train, genres);
  const all = score(profiles);
  const cold = score(profiles, (userId) => (profiles.get(userId)?.ratings.length ?? 0) <= COLD_START_MAX_RATINGS);
  // Every user as if they had rated only their first few train ratings (in the split's random order).
  const seen = new Map<number, number>();
  const few = train.filter((r) => {
    const n = (seen.get(r.userId) ?? 0) + 1;
    seen.set(r.userId, n);
    return n <= COLD_START_MAX_RATINGS;
  });
  const simulated = score(userProfiles(few, genres));

  return {
    dataset,
    protocol: {
      split: `per user, random: round(${TRAIN_SHARE * 100}%) of each user's ratings to train, the rest to test`,
      seed,
      k: K,
      relevant: 'every test item, whatever its rating; train items excluded from the lists',
      users: all.users,
      train_ratings: train.length,
      test_ratings: interactions.length - train.length,
    },
    results: { model: all.model, popularity: all.popularity, hybrid: all.hybrid },
    cold_start: { max_train_ratings: COLD_START_MAX_RATINGS, users: cold.users, model: cold.model, popularity: cold.popularity, hybrid: cold.hybrid },
    cold_start_simulated: {
      train_ratings_kept: COLD_START_MAX_RATINGS,
      users: simulated.users,
      model: simulated.model,
      popularity: simulated.popularity,
      hybrid: simulated.hybrid,
    },
    model: { algorithm: model.manifest.algorithm, params: model.manifest.params },
    train_seconds: round(trainSeconds),
    peak_rss_mb: peakRssMb,
  };
}

/** The online features each user would have from their train ratings, as the consumer computes them. */
function userProfiles(
  train: readonly Interaction[],
  genres: ReadonlyMap<number, readonly string[]>,
): Map<number, UserInput> {
  const events: RatingEvent[] = train.map((r) => ({
    eventId: `movielens-${r.userId}-${r.movieId}`,
    userId: r.userId,
    movieId: r.movieId,
    rating: r.rating,
    eventTime: r.timestamp,
  }));
  const { changes } = applyRatings(
    { users: new Map(), ratings: new Map(), genres, global: { ratingCount: 0, ratingSum: 0 } },
    events,
    0,
  );
  const ratings = new Map<number, RatingEvent[]>(changes.users.map((u) => [u.userId, []]));
  for (const r of changes.ratings) ratings.get(r.userId)!.push(r);
  return new Map(changes.users.map((u) => [u.userId, { features: u, ratings: ratings.get(u.userId)! }]));
}

function scores(r: EvaluationResult): Scores {
  return {
    'precision@10': round(r.precision),
    'recall@10': round(r.recall),
    'ndcg@10': round(r.ndcg),
    'map@10': round(r.map),
    coverage: round(r.coverage),
  };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

export function formatReport(report: EvaluationReport): string {
  const rows = (title: string, results: Record<string, Scores>, users: number) => [
    `${title} (${users} users)`,
    `  ${'ranker'.padEnd(12)}${['precision@10', 'recall@10', 'ndcg@10', 'map@10', 'coverage'].map((h) => h.padStart(14)).join('')}`,
    ...Object.entries(results).map(
      ([name, s]) => `  ${name.padEnd(12)}${Object.values(s).map((v) => v.toFixed(4).padStart(14)).join('')}`,
    ),
  ];
  return [
    `Dataset ${report.dataset}: ${report.protocol.train_ratings} train and ${report.protocol.test_ratings} test ratings, seed ${report.protocol.seed}`,
    `Model ${report.model.algorithm} ${JSON.stringify(report.model.params)}: trained in ${report.train_seconds} s, peak RSS ${report.peak_rss_mb} MB`,
    ...rows('All users', report.results, report.protocol.users),
    ...rows(`Cold start: at most ${report.cold_start.max_train_ratings} train ratings`, {
      model: report.cold_start.model,
      popularity: report.cold_start.popularity,
      hybrid: report.cold_start.hybrid,
    }, report.cold_start.users),
    ...rows(`Cold start, simulated: every user known by ${report.cold_start_simulated.train_ratings_kept} train ratings`, {
      model: report.cold_start_simulated.model,
      popularity: report.cold_start_simulated.popularity,
      hybrid: report.cold_start_simulated.hybrid,
    }, report.cold_start_simulated.users),
  ].join('\n');
}
