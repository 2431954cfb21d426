import { Heap } from 'heap-js';
import { easeWeights } from './ease';

/**
 * What training learns about pairs of movies, from who rated what. Three similarities:
 * - `ease`: EASE weights among the `headItems` most rated movies (its cost grows with the cube of
 *   their number), kept whole, negative weights included: a movie that its raters' other movies
 *   speak against loses score. The movies of the long tail get rp3beta lists, rescaled to EASE's
 *   range;
 * - `rp3beta` (Paudel et al. 2016): a random walk item -> user -> item, with transition
 *   probabilities raised to `alpha`, divided by the target's popularity to the power `beta`, so
 *   that blockbusters do not crowd out everything else;
 * - `cosine`: cosine of the movies' rater sets, its denominator raised by `shrinkage`.
 * The walks keep the top k per movie; rp3beta shrinks a pair's similarity by the raters behind it,
 * c / (c + shrinkage): a pair that one user's ratings make is not a strong one.
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
  shrinkage: number;
}

export interface EaseParams {
  similarity: 'ease';
  lambda: number;
  headItems: number;
  /** The tail's rp3beta lists; `weight` scales them against EASE's weights. */
  tail: Omit<Rp3betaParams, 'similarity'> & { weight: number };
}

export type NeighbourParams = Rp3betaParams | { similarity: 'cosine'; k: number; shrinkage: number } | EaseParams;

/** Chosen on ml-latest-small by `npm run evaluate -- --params` on seeds 1 and 7, not on the reported seed. */
export const DEFAULT_NEIGHBOUR_PARAMS: EaseParams = {
  similarity: 'ease',
  lambda: 250,
  headItems: 1000,
  tail: { k: 100, alpha: 0.8, beta: 0.4, shrinkage: 2, weight: 0.5 },
};

/** One interaction per index: parallel arrays of user and movie ids (one entry per (user, movie)). */
export interface Interactions {
  userIds: Int32Array;
  movieIds: Int32Array;
}

/** Dense weights among the head movies: `weights[s * n + t]` is source s's towards target t, in `movieIds` order. */
export interface HeadWeights {
  movieIds: Int32Array;
  weights: Float32Array;
}

export interface ItemWeights {
  head: HeadWeights;
  /** The lists of the movies outside the head (of every movie when there is none), strongest first. */
  neighbours: Map<number, Neighbour[]>;
}

export const NO_HEAD: HeadWeights = { movieIds: new Int32Array(0), weights: new Float32Array(0) };

/** Ties broken by the smaller movie id. */
export function itemWeights(data: Interactions, params: NeighbourParams = DEFAULT_NEIGHBOUR_PARAMS): ItemWeights {
  const index = buildIndex(data);
  const lists = (rows: Row[], keep: (i: number) => boolean, scale = 1) => {
    const result = new Map<number, Neighbour[]>();
    rows.forEach((row, i) => {
      if (keep(i)) result.set(index.itemIds[i]!, row.map(({ j, score }) => ({ movieId: index.itemIds[j]!, score: score * scale })));
    });
    return result;
  };
  if (params.similarity !== 'ease') return { head: NO_HEAD, neighbours: lists(walkRows(index, params), () => true) };
  const { head, headIndex, scale, walk } = easeHead(index, params);
  return { head, neighbours: lists(walk, (i) => headIndex[i]! < 0, scale) };
}

/** Compressed rows: row r's values are `values[offsets[r]]` to `values[offsets[r + 1] - 1]`, in input order. */
export interface Csr {
  offsets: Int32Array;
  values: Int32Array;
}

interface Index {
  itemIds: number[];
  userItems: Csr;
  itemUsers: Csr;
  degree: Float64Array;
}

/** Dense-index neighbours of one movie, best first. */
type Row = { j: number; score: number }[];

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
  const raters = new Int32Array(nItems);
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
        if (raters[j] === 0) touched[nTouched++] = j;
        co[j]! += userWeight[u]!;
        raters[j]!++;
      }
    }
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t]!;
      sim[j] = similarity(i, j, co[j]!, raters[j]!);
      co[j] = 0;
      raters[j] = 0;
    }
    rows.push(topK(touched, nTouched, sim, itemIds, params.k));
  }
  return rows;
}

/** sim(i, j) from the co-rating weight and the number of raters behind it; the per-item factors are computed once. */
function similarityOf(
  params: Extract<NeighbourParams, { similarity: 'rp3beta' | 'cosine' }>,
  degree: Float64Array,
): (i: number, j: number, co: number, raters: number) => number {
  if (params.similarity === 'rp3beta') {
    const from = degree.map((d) => Math.pow(d, -params.alpha));
    const to = degree.map((d) => Math.pow(d, -params.beta));
    const shrink = params.shrinkage;
    return (i, j, co, raters) => ((co * from[i]! * to[j]!) * raters) / (raters + shrink);
  }
  return (i, j, co) => co / (Math.sqrt(degree[i]! * degree[j]!) + params.shrinkage);
}

/**
 * EASE among the most rated movies, and the rp3beta rows of every movie with the factor that
 * brings them to EASE's scale: the ratio of the head's strongest weights under each.
 */
function easeHead(index: Index, params: EaseParams) {
  const { itemIds, userItems, degree } = index;
  const nItems = itemIds.length;
  const walk = walkRows(index, { similarity: 'rp3beta', ...params.tail });

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

  let easeTop = 0;
  let walkTop = 0;
  head.forEach((i, h) => {
    let strongest = 0;
    for (let t = 0, row = h * head.length; t < head.length; t++) strongest = Math.max(strongest, b.values[row + t]!);
    easeTop += strongest;
    walkTop += walk[i]![0]?.score ?? 0;
  });
  return {
    head: { movieIds: Int32Array.from(head, (i) => itemIds[i]!), weights: Float32Array.from(b.values) },
    headIndex,
    scale: params.tail.weight * (walkTop > 0 ? easeTop / walkTop : 1),
    walk,
  };
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

export function csr(rows: Int32Array, cols: Int32Array, nRows: number): Csr {
  const offsets = new Int32Array(nRows + 1);
  for (const r of rows) offsets[r + 1]!++;
  for (let r = 0; r < nRows; r++) offsets[r + 1]! += offsets[r]!;
  const cursor = offsets.slice(0, nRows);
  const values = new Int32Array(rows.length);
  for (let p = 0; p < rows.length; p++) values[cursor[rows[p]!]!++] = cols[p]!;
  return { offsets, values };
}
