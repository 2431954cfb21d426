import { Heap } from 'heap-js';
import { easeWeights } from './ease';

/**
 * Item-item neighbours from who rated what, keeping the top K per movie. Three similarities:
 * - `rp3beta` (Paudel et al. 2016): a random walk item -> user -> item, with transition
 *   probabilities raised to `alpha`, divided by the target's popularity to the power `beta`, so
 *   that blockbusters do not crowd out everything else;
 * - `cosine`: cosine of the movies' rater sets, shrunk towards zero when few users rated both;
 * - `ease`: EASE weights among the `headItems` most rated movies (its cost grows with the cube of
 *   their number), and rp3beta for the movies of the long tail, rescaled to EASE's range.
 */

export interface Neighbour {
  movieId: number;
  score: number;
}

export interface Rp3betaParams {
  similarity: 'rp3beta';
  k: number;
  alpha: number;
  beta: number;
}

export type NeighbourParams =
  | Rp3betaParams
  | { similarity: 'cosine'; k: number; shrinkage: number }
  | { similarity: 'ease'; k: number; lambda: number; headItems: number; tail: Omit<Rp3betaParams, 'similarity' | 'k'> };

/** Chosen on ml-latest-small by `npm run evaluate` (tuned on another seed than the reported one). */
export const DEFAULT_NEIGHBOUR_PARAMS: NeighbourParams = {
  similarity: 'ease',
  k: 200,
  lambda: 300,
  headItems: 1000,
  tail: { alpha: 0.8, beta: 0.4 },
};

/** One interaction per index: parallel arrays of user and movie ids (one entry per (user, movie)). */
export interface Interactions {
  userIds: Int32Array;
  movieIds: Int32Array;
}

/** Dense-index neighbours of one movie, best first. */
type Row = { j: number; score: number }[];

/** Neighbours per movie id, best first; ties broken by the smaller movie id. */
export function itemNeighbours(
  data: Interactions,
  params: NeighbourParams = DEFAULT_NEIGHBOUR_PARAMS,
): Map<number, Neighbour[]> {
  const index = buildIndex(data);
  const rows =
    params.similarity === 'ease'
      ? easeRows(index, params)
      : walkRows(index, params);
  const result = new Map<number, Neighbour[]>();
  rows.forEach((row, i) => result.set(index.itemIds[i]!, row.map(({ j, score }) => ({ movieId: index.itemIds[j]!, score }))));
  return result;
}

interface Csr {
  offsets: Int32Array;
  values: Int32Array;
}

interface Index {
  itemIds: number[];
  userItems: Csr;
  itemUsers: Csr;
  degree: Float64Array;
}

/** Keeps the k best of the scored candidates: a min-heap, worst on top, costs n log k. */
function topK(candidates: ArrayLike<number>, count: number, score: Float64Array, itemIds: readonly number[], k: number): Row {
  const worseFirst = (a: number, b: number) => score[a]! - score[b]! || itemIds[b]! - itemIds[a]!;
  const best = new Heap<number>(worseFirst);
  for (let t = 0; t < count; t++) {
    const j = candidates[t]!;
    if (best.length < k) best.push(j);
    else if (worseFirst(best.peek()!, j) < 0) best.replace(j);
  }
  return best
    .toArray()
    .sort((a, b) => worseFirst(b, a))
    .map((j) => ({ j, score: score[j]! }));
}

/** rp3beta or cosine: one pass over the co-ratings of each movie. */
function walkRows(index: Index, params: Extract<NeighbourParams, { similarity: 'rp3beta' | 'cosine' }>): Row[] {
  const { itemIds, userItems, itemUsers, degree } = index;
  const nItems = itemIds.length;
  // Each co-rating counts the weight of its user: 1 for cosine, deg(u)^-alpha for the random walk.
  const userWeight = new Float64Array(userItems.offsets.length - 1);
  for (let u = 0; u < userWeight.length; u++) {
    const deg = userItems.offsets[u + 1]! - userItems.offsets[u]!;
    userWeight[u] = params.similarity === 'rp3beta' ? Math.pow(deg, -params.alpha) : 1;
  }
  const similarity = similarityOf(params, degree);

  const co = new Float64Array(nItems);
  const sim = new Float64Array(nItems);
  const touched = new Int32Array(nItems);
  const rows: Row[] = [];
  for (let i = 0; i < nItems; i++) {
    let nTouched = 0;
    for (let p = itemUsers.offsets[i]!; p < itemUsers.offsets[i + 1]!; p++) {
      const u = itemUsers.values[p]!;
      for (let q = userItems.offsets[u]!; q < userItems.offsets[u + 1]!; q++) {
        const j = userItems.values[q]!;
        if (j === i) continue;
        if (co[j] === 0) touched[nTouched++] = j;
        co[j]! += userWeight[u]!;
      }
    }
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t]!;
      sim[j] = similarity(i, j, co[j]!);
      co[j] = 0;
    }
    rows.push(topK(touched, nTouched, sim, itemIds, params.k));
  }
  return rows;
}

/** sim(i, j) from the co-rating weight; the per-item factors are computed once. */
function similarityOf(
  params: Extract<NeighbourParams, { similarity: 'rp3beta' | 'cosine' }>,
  degree: Float64Array,
): (i: number, j: number, co: number) => number {
  if (params.similarity === 'rp3beta') {
    const from = degree.map((d) => Math.pow(d, -params.alpha));
    const to = degree.map((d) => Math.pow(d, -params.beta));
    return (i, j, co) => co * from[i]! * to[j]!;
  }
  return (i, j, co) => co / (Math.sqrt(degree[i]! * degree[j]!) + params.shrinkage);
}

/** EASE rows for the head movies, rescaled rp3beta rows for the tail. */
function easeRows(index: Index, params: Extract<NeighbourParams, { similarity: 'ease' }>): Row[] {
  const { itemIds, userItems, degree } = index;
  const nItems = itemIds.length;
  const walk = walkRows(index, { similarity: 'rp3beta', k: params.k, ...params.tail });

  const head = Array.from({ length: nItems }, (_, i) => i)
    .sort((a, b) => degree[b]! - degree[a]! || itemIds[a]! - itemIds[b]!)
    .slice(0, Math.min(params.headItems, nItems));
  const headIndex = new Int32Array(nItems).fill(-1);
  head.forEach((i, h) => (headIndex[i] = h));
  const itemsOfUser: Int32Array[] = [];
  for (let u = 0; u + 1 < userItems.offsets.length; u++) {
    const items: number[] = [];
    for (let q = userItems.offsets[u]!; q < userItems.offsets[u + 1]!; q++) {
      const h = headIndex[userItems.values[q]!]!;
      if (h >= 0) items.push(h);
    }
    itemsOfUser.push(Int32Array.from(items));
  }
  const b = easeWeights(itemsOfUser, head.length, params.lambda);

  const rows = walk;
  const headIds = head.map((i) => itemIds[i]!);
  const weight = new Float64Array(head.length);
  const candidates = new Int32Array(head.length);
  let easeTop = 0;
  let walkTop = 0;
  head.forEach((i, h) => {
    let count = 0;
    for (let t = 0; t < head.length; t++) {
      weight[t] = b.values[h * head.length + t]!;
      if (weight[t]! > 0) candidates[count++] = t;
    }
    walkTop += walk[i]![0]?.score ?? 0;
    rows[i] = topK(candidates, count, weight, headIds, params.k).map(({ j, score }) => ({ j: head[j]!, score }));
    easeTop += rows[i]![0]?.score ?? 0;
  });
  // Tail rows join head rows in the same sums: bring them to the same scale.
  const scale = walkTop > 0 ? easeTop / walkTop : 1;
  for (let i = 0; i < nItems; i++) {
    if (headIndex[i]! < 0) rows[i] = rows[i]!.map(({ j, score }) => ({ j, score: score * scale }));
  }
  return rows;
}

function buildIndex(data: Interactions): Index {
  const itemIds = [...new Set(data.movieIds)].sort((a, b) => a - b);
  const userIds = [...new Set(data.userIds)];
  const itemIndex = new Map(itemIds.map((id, i) => [id, i]));
  const userIndex = new Map(userIds.map((id, i) => [id, i]));
  const n = data.userIds.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    users[r] = userIndex.get(data.userIds[r]!)!;
    items[r] = itemIndex.get(data.movieIds[r]!)!;
  }
  const itemUsers = csr(items, users, itemIds.length);
  const degree = new Float64Array(itemIds.length);
  for (let i = 0; i < itemIds.length; i++) degree[i] = itemUsers.offsets[i + 1]! - itemUsers.offsets[i]!;
  return { itemIds, userItems: csr(users, items, userIds.length), itemUsers, degree };
}

function csr(rows: Int32Array, cols: Int32Array, nRows: number): Csr {
  const offsets = new Int32Array(nRows + 1);
  for (const r of rows) offsets[r + 1]!++;
  for (let r = 0; r < nRows; r++) offsets[r + 1]! += offsets[r]!;
  const cursor = offsets.slice(0, nRows);
  const values = new Int32Array(rows.length);
  for (let p = 0; p < rows.length; p++) values[cursor[rows[p]!]!++] = cols[p]!;
  return { offsets, values };
}
