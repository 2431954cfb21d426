/**
 * The metrics of top-k recommendation, as the published tables take them (the splits are in
 * holdout.ts): every held-out item is relevant, whatever its rating; metrics at k averaged over the
 * users with at least one held-out item; nDCG with binary gains and a log2 discount; catalog
 * coverage is the share of the training catalog recommended to anyone.
 */
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
