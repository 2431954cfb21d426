/**
 * Offline evaluation of top-k recommendation, by the protocol of the published tables:
 * - a per-user random split: of each user's ratings, round(75%) to train and the rest to test;
 * - every test item is relevant, whatever its rating; a user's train items are never recommended;
 * - metrics at k averaged over the users with at least one test item; nDCG with binary gains and a
 *   log2 discount; catalog coverage is the share of the training catalog recommended to anyone.
 */
import type { Random } from './random';

export interface Interaction {
  userId: number;
  movieId: number;
  rating: number;
  /** Epoch ms. */
  timestamp: number;
}

export interface Split {
  train: Interaction[];
  /** Test movie ids per user, for the users that have any. */
  test: Map<number, Set<number>>;
}

export const TRAIN_SHARE = 0.75;

/** Users in id order, each user's ratings in movie order, then shuffled: the same seed, the same split. */
export function splitPerUser(interactions: readonly Interaction[], random: Random): Split {
  const byUser = new Map<number, Interaction[]>();
  for (const r of interactions) {
    let list = byUser.get(r.userId);
    if (!list) byUser.set(r.userId, (list = []));
    list.push(r);
  }
  const train: Interaction[] = [];
  const test = new Map<number, Set<number>>();
  for (const userId of [...byUser.keys()].sort((a, b) => a - b)) {
    const list = byUser.get(userId)!.sort((a, b) => a.movieId - b.movieId);
    for (let i = list.length - 1; i > 0; i--) {
      const j = random.int(0, i);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    const cut = Math.round(list.length * TRAIN_SHARE);
    train.push(...list.slice(0, cut));
    if (cut < list.length) test.set(userId, new Set(list.slice(cut).map((r) => r.movieId)));
  }
  return { train, test };
}

export interface Metrics {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
}

/** The metrics of one ranked list against one user's relevant items. */
export function rankingMetrics(ranked: readonly number[], relevant: ReadonlySet<number>, k: number): Metrics {
  let hits = 0;
  let dcg = 0;
  let precisionSum = 0;
  ranked.slice(0, k).forEach((id, i) => {
    if (!relevant.has(id)) return;
    hits++;
    dcg += 1 / Math.log2(i + 2);
    precisionSum += hits / (i + 1);
  });
  const ideal = Math.min(relevant.size, k);
  let idcg = 0;
  for (let i = 0; i < ideal; i++) idcg += 1 / Math.log2(i + 2);
  return {
    precision: hits / k,
    recall: relevant.size === 0 ? 0 : hits / relevant.size,
    ndcg: idcg === 0 ? 0 : dcg / idcg,
    map: ideal === 0 ? 0 : precisionSum / ideal,
  };
}

export interface EvaluationResult extends Metrics {
  coverage: number;
  users: number;
}

/**
 * Averages the metrics of `recommend` over the test users (optionally a subset of them), and the
 * share of `catalogSize` items it recommended to anyone.
 */
export function evaluate(
  test: ReadonlyMap<number, ReadonlySet<number>>,
  recommend: (userId: number) => readonly number[],
  options: { k: number; catalogSize: number; users?: (userId: number) => boolean },
): EvaluationResult {
  const sum: Metrics = { precision: 0, recall: 0, ndcg: 0, map: 0 };
  const recommended = new Set<number>();
  let users = 0;
  for (const [userId, relevant] of test) {
    if (options.users && !options.users(userId)) continue;
    const ranked = recommend(userId).slice(0, options.k);
    for (const id of ranked) recommended.add(id);
    const m = rankingMetrics(ranked, relevant, options.k);
    for (const key of Object.keys(sum) as (keyof Metrics)[]) sum[key] += m[key];
    users++;
  }
  const avg = (x: number) => (users === 0 ? 0 : x / users);
  return {
    precision: avg(sum.precision),
    recall: avg(sum.recall),
    ndcg: avg(sum.ndcg),
    map: avg(sum.map),
    coverage: options.catalogSize === 0 ? 0 : recommended.size / options.catalogSize,
    users,
  };
}
