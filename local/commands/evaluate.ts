/**
 * `npm run evaluate -- --movielens DIR | --synthetic RATINGS [--seed 42 | --temporal | --holdout 10%] [--params JSON] [--json]`:
 * splits a dataset, trains the batch's model code on the train part, and scores the model, a
 * popularity baseline and the hybrid blend the API serves on what was held out. Three splits: per
 * user at random (the default, from the seed), each user's latest rating (`--temporal`), or the
 * latest events by time as the daily batch's quality gate holds them out (`--holdout`). Users with
 * few train ratings (cold start) are reported apart as well.
 */
import { basename } from 'node:path';
import type { EvaluationResult } from '../../lambdas/core/evaluation';
import { heldOutRatings, leaveLatestOut, splitByTime, splitPerUser, type Holdout, type SilverRatings, type Split } from '../../lambdas/core/holdout';
import { DEFAULT_NEIGHBOUR_PARAMS, type NeighbourParams } from '../../lambdas/core/item-neighbours';
import { MEASURE_K, ratingsOf, rounded, scoreRankers, trainOnSplit, userProfiles, type Ranker, type RankerScores } from '../../lambdas/core/model-measure';
import { seededRandom } from '../../lambdas/core/random';
import { round4 } from '../../lambdas/core/recommender';
import type { Movie } from '../../lambdas/core/movie';
import { generateDemoData } from '../demo-data';
import { detectMovieLens, readMovies, readRatingEvents } from '../movielens';

/** The demo generator's mean ratings per user, to size a synthetic dataset. */
const SYNTHETIC_RATINGS_PER_USER = 50;
/** Users with at most this many train ratings count as cold start. */
export const COLD_START_MAX_RATINGS = 5;

type Scores = Record<'precision@10' | 'recall@10' | 'ndcg@10' | 'map@10' | 'coverage', number>;
type Results = Record<Ranker, Scores>;

/** How the dataset is split: at random per user from a seed, each user's latest rating, or the latest events. */
export type Protocol = { split: 'random'; seed: number } | { split: 'temporal' } | { split: 'holdout'; holdout: Holdout };

export interface EvaluationReport {
  dataset: string;
  protocol: {
    split: string;
    seed: number | null;
    k: number;
    relevant: string;
    users: number;
    train_ratings: number;
    test_ratings: number;
  };
  results: Results;
  /** Users with at most `max_train_ratings` train ratings (ml-latest-small has none). */
  cold_start: { max_train_ratings: number; users: number } & Results;
  /** Every test user, known by only `train_ratings_kept` of their train ratings (the model is unchanged). */
  cold_start_simulated: { train_ratings_kept: number; users: number } & Results;
  model: { algorithm: string; params: NeighbourParams };
  train_seconds: number;
  peak_rss_mb: number;
}

export async function evaluateMovieLens(dir: string, protocol: Protocol, params?: NeighbourParams): Promise<EvaluationReport> {
  const source = detectMovieLens(dir);
  const catalog = await readMovies(source);
  const rows: [number, number, number, number][] = [];
  for await (const chunk of readRatingEvents(source, 10_000)) for (const e of chunk) rows.push([e.user_id, e.movie_id, e.rating, e.timestamp]);
  return evaluateRatings(basename(source.dir), catalog, silverOf(rows), protocol, params);
}

/** A generated dataset of about `ratings` ratings: the demo generator, scaled up (fixed seed). */
export function evaluateSynthetic(ratings: number, protocol: Protocol, params?: NeighbourParams): EvaluationReport {
  const users = Math.max(10, Math.round(ratings / SYNTHETIC_RATINGS_PER_USER));
  const movies = Math.max(50, Math.round(Math.sqrt(ratings) * 3));
  const demo = generateDemoData({ users, movies });
  const rows = demo.events.flatMap((e): [number, number, number, number][] =>
    typeof e.rating === 'number' && typeof e.user_id === 'number' && e.user_id > 0 && typeof e.timestamp === 'string'
      ? [[e.user_id, e.movie_id as number, e.rating, Date.parse(e.timestamp)]]
      : [],
  );
  return evaluateRatings(`synthetic (${rows.length} ratings, ${users} users, ${movies} movies)`, demo.movies, silverOf(rows), protocol, params);
}

/**
 * `--params`: the model's parameters as JSON, over the defaults (`{"lambda": 200}`, `{"tail":
 * {"weight": 1}}`), or another similarity whole (`{"similarity": "cosine", "k": 200, "shrinkage": 10}`).
 */
export function parseParams(json: string): NeighbourParams {
  let given: unknown;
  try {
    given = JSON.parse(json);
  } catch {
    throw new RangeError(`--params must be a JSON object; got ${json}`);
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new RangeError(`--params must be a JSON object; got ${json}`);
  const g = given as Record<string, unknown>;
  const d = DEFAULT_NEIGHBOUR_PARAMS;
  const params = (
    g.similarity === undefined || g.similarity === 'ease' ? { ...d, ...g, tail: { ...d.tail, ...(g.tail as object | undefined) } } : g
  ) as NeighbourParams;
  const expected: Record<NeighbourParams['similarity'], string[]> = {
    ease: ['similarity', 'lambda', 'headItems', 'tail'],
    rp3beta: ['similarity', 'k', 'alpha', 'beta', 'shrinkage'],
    cosine: ['similarity', 'k', 'shrinkage'],
  };
  const keys = expected[params.similarity];
  if (!keys) throw new RangeError(`--params: similarity must be ease, rp3beta or cosine; got ${JSON.stringify(params.similarity)}`);
  const numbers = Object.entries(params.similarity === 'ease' ? { ...params, ...params.tail } : params).filter(([k]) => k !== 'similarity' && k !== 'tail');
  const missing = keys.filter((k) => !(k in params));
  const unknown = Object.keys(params).filter((k) => !keys.includes(k));
  const bad = numbers.filter(([, v]) => typeof v !== 'number' || !Number.isFinite(v) || v < 0).map(([k]) => k);
  if (missing.length || unknown.length || bad.length) {
    throw new RangeError(
      `--params for ${params.similarity}: ${[missing.length ? `missing ${missing.join(', ')}` : '', unknown.length ? `unknown ${unknown.join(', ')}` : '', bad.length ? `not a number >= 0: ${bad.join(', ')}` : ''].filter(Boolean).join('; ')}`,
    );
  }
  return params;
}

function evaluateRatings(dataset: string, catalog: readonly Movie[], data: SilverRatings, protocol: Protocol, params: NeighbourParams = DEFAULT_NEIGHBOUR_PARAMS): EvaluationReport {
  const split = splitOf(data, protocol);
  const trained = trainOnSplit(split, catalog, params);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const results = (r: Record<Ranker, EvaluationResult>): Results => ({ model: scores(r.model), popularity: scores(r.popularity), hybrid: scores(r.hybrid) });

  const all = scoreRankers(trained, split.test);
  const cold = scoreRankers(trained, split.test, trained.profiles, (u) => (trained.profiles.get(u)?.ratings.length ?? 0) <= COLD_START_MAX_RATINGS);
  // Every user as if they had rated only their first few train ratings (in the split's order).
  const seen = new Map<number, number>();
  const few = ratingsOf(split.train, new Set(split.test.keys())).filter((r) => {
    const n = (seen.get(r.userId) ?? 0) + 1;
    seen.set(r.userId, n);
    return n <= COLD_START_MAX_RATINGS;
  });
  const simulated = scoreRankers(trained, split.test, userProfiles(few, trained.genres));

  return {
    dataset,
    protocol: {
      split: split.protocol,
      seed: protocol.split === 'random' ? protocol.seed : null,
      k: MEASURE_K,
      relevant: 'every held-out item, whatever its rating; train items excluded from the lists',
      users: all.model.users,
      train_ratings: split.train.userIds.length,
      test_ratings: heldOutRatings(split),
    },
    results: results(all),
    cold_start: { max_train_ratings: COLD_START_MAX_RATINGS, users: cold.model.users, ...results(cold) },
    cold_start_simulated: { train_ratings_kept: COLD_START_MAX_RATINGS, users: simulated.model.users, ...results(simulated) },
    model: { algorithm: trained.manifest.algorithm, params },
    train_seconds: round4(trained.trainSeconds),
    peak_rss_mb: peakRssMb,
  };
}

function splitOf(data: SilverRatings, protocol: Protocol): Split {
  if (protocol.split === 'random') return splitPerUser(data, seededRandom(protocol.seed));
  if (protocol.split === 'temporal') return leaveLatestOut(data);
  return splitByTime(data, protocol.holdout);
}

function silverOf(rows: readonly [number, number, number, number][]): SilverRatings {
  return {
    userIds: Int32Array.from(rows, (r) => r[0]),
    movieIds: Int32Array.from(rows, (r) => r[1]),
    ratings: Float32Array.from(rows, (r) => r[2]),
    eventTimes: Float64Array.from(rows, (r) => r[3]),
  };
}

function scores(r: EvaluationResult): Scores {
  const s: RankerScores = rounded(r);
  return { 'precision@10': s.precision, 'recall@10': s.recall, 'ndcg@10': s.ndcg, 'map@10': s.map, coverage: s.coverage };
}

export function formatReport(report: EvaluationReport): string {
  const rows = (title: string, results: Results, users: number) => [
    `${title} (${users} users)`,
    `  ${'ranker'.padEnd(12)}${['precision@10', 'recall@10', 'ndcg@10', 'map@10', 'coverage'].map((h) => h.padStart(14)).join('')}`,
    ...(['model', 'popularity', 'hybrid'] as const).map(
      (name) => `  ${name.padEnd(12)}${Object.values(results[name]).map((v) => v.toFixed(4).padStart(14)).join('')}`,
    ),
  ];
  const { protocol } = report;
  return [
    `Dataset ${report.dataset}: ${protocol.train_ratings} train and ${protocol.test_ratings} held-out ratings; held out: ${protocol.split}${protocol.seed === null ? '' : `, seed ${protocol.seed}`}`,
    `Model ${report.model.algorithm} ${JSON.stringify(report.model.params)}: trained in ${report.train_seconds} s, peak RSS ${report.peak_rss_mb} MB`,
    ...rows('All users', report.results, protocol.users),
    ...rows(`Cold start: at most ${report.cold_start.max_train_ratings} train ratings`, report.cold_start, report.cold_start.users),
    ...rows(
      `Cold start, simulated: every user known by ${report.cold_start_simulated.train_ratings_kept} train ratings`,
      report.cold_start_simulated,
      report.cold_start_simulated.users,
    ),
  ].join('\n');
}
