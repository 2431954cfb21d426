/**
 * The daily batch's offline measure of its model: of up to HOLDOUT_USERS users (chosen by a hash
 * of their id, so a re-run picks the same ones), each one's latest rating is held out, a model is
 * trained on everything else, and the held-out movies are ranked by it as `npm run evaluate` ranks
 * ("model": neighbours of the user's other ratings). Metrics at 10, as in the evaluation tables.
 * The measure costs one training more than the batch's own.
 */
import { evaluate } from './evaluation';
import type { Interactions } from './item-neighbours';
import { indexModel, trainModel } from './model';
import type { Movie } from './movie';
import { rankByNeighbours, rankByPopularity, round4 } from './recommender';

/** The silver ratings as the batch reads them: who rated what, and when (epoch ms). */
export interface TimedInteractions extends Interactions {
  eventTimes: Float64Array;
}

export interface HoldoutMetrics {
  /** Users whose latest rating was held out. */
  users: number;
  k: number;
  ndcg: number;
  recall: number;
  precision: number;
  map: number;
  /** Share of the training catalog recommended to anyone. */
  coverage: number;
  /** nDCG of the most rated movies on the same held-out ratings: the bar the model must clear. */
  popularityNdcg: number;
  /** The measure's own time: training and ranking. */
  seconds: number;
}

export const HOLDOUT_USERS = 1000;
/** Users with fewer ratings keep them all: one held out of a handful says little. */
export const HOLDOUT_MIN_RATINGS = 5;
const K = 10;

/** The metrics, or undefined when no user has HOLDOUT_MIN_RATINGS ratings. */
export function evaluateOnLatestRatings(data: TimedInteractions, catalog: readonly Movie[], maxUsers = HOLDOUT_USERS): HoldoutMetrics | undefined {
  const started = performance.now();
  const { userIds, movieIds, eventTimes } = data;
  // Per user: how many ratings, and the index of the latest (ties: the higher movie id).
  const count = new Map<number, number>();
  const latest = new Map<number, number>();
  for (let i = 0; i < userIds.length; i++) {
    const u = userIds[i]!;
    count.set(u, (count.get(u) ?? 0) + 1);
    const j = latest.get(u);
    if (j === undefined || eventTimes[i]! > eventTimes[j]! || (eventTimes[i] === eventTimes[j] && movieIds[i]! > movieIds[j]!)) latest.set(u, i);
  }
  const chosen = [...count.entries()]
    .filter(([, n]) => n >= HOLDOUT_MIN_RATINGS)
    .map(([u]) => u)
    .sort((a, b) => hash(a) - hash(b) || a - b)
    .slice(0, maxUsers);
  if (chosen.length === 0) return undefined;

  const held = new Set(chosen.map((u) => latest.get(u)!));
  const train: Interactions = { userIds: new Int32Array(userIds.length - held.size), movieIds: new Int32Array(userIds.length - held.size) };
  const test = new Map(chosen.map((u) => [u, new Set([movieIds[latest.get(u)!]!])]));
  const rated = new Map(chosen.map((u) => [u, new Set<number>()]));
  for (let i = 0, t = 0; i < userIds.length; i++) {
    if (held.has(i)) continue;
    train.userIds[t] = userIds[i]!;
    train.movieIds[t++] = movieIds[i]!;
    rated.get(userIds[i]!)?.add(movieIds[i]!);
  }
  const model = indexModel(trainModel({ interactions: train, catalog, date: 'holdout' }));
  const options = { k: K, catalogSize: new Set(train.movieIds).size };
  const result = evaluate(test, (u) => rankByNeighbours(model, rated.get(u)!, K), options);
  const popular = evaluate(test, (u) => rankByPopularity(model, rated.get(u)!, K), options);
  return {
    users: result.users,
    k: K,
    ndcg: round4(result.ndcg),
    recall: round4(result.recall),
    precision: round4(result.precision),
    map: round4(result.map),
    coverage: round4(result.coverage),
    popularityNdcg: round4(popular.ndcg),
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

function hash(userId: number): number {
  return Math.imul(userId, 0x9e3779b1) >>> 0;
}
