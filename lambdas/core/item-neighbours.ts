import { Heap } from 'heap-js';

/**
 * Item-item neighbours from who rated what: cosine similarity of the movies' rater sets, shrunk
 * towards zero when few users rated both, keeping the top K per movie.
 */

export interface Neighbour {
  movieId: number;
  score: number;
}

export interface NeighbourParams {
  /** Neighbours kept per movie. */
  k: number;
  /** Added to the cosine denominator: damps similarities backed by few co-raters. */
  shrinkage: number;
}

export const DEFAULT_NEIGHBOUR_PARAMS: NeighbourParams = { k: 50, shrinkage: 10 };

/** One interaction per index: parallel arrays of user and movie ids (one entry per (user, movie)). */
export interface Interactions {
  userIds: Int32Array;
  movieIds: Int32Array;
}

/** Neighbours per movie id, best first; ties broken by the smaller movie id. */
export function itemNeighbours(
  data: Interactions,
  params: NeighbourParams = DEFAULT_NEIGHBOUR_PARAMS,
): Map<number, Neighbour[]> {
  const { itemIds, userItems, itemUsers } = buildIndex(data);
  const nItems = itemIds.length;
  const degree = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) degree[i] = itemUsers.offsets[i + 1]! - itemUsers.offsets[i]!;

  const co = new Float64Array(nItems);
  const sim = new Float64Array(nItems);
  const touched = new Int32Array(nItems);
  const result = new Map<number, Neighbour[]>();
  // A min-heap of the best k so far, worst on top: top-k costs n log k instead of a full sort.
  const worseFirst = (a: number, b: number) => sim[a]! - sim[b]! || itemIds[b]! - itemIds[a]!;

  for (let i = 0; i < nItems; i++) {
    let nTouched = 0;
    for (let p = itemUsers.offsets[i]!; p < itemUsers.offsets[i + 1]!; p++) {
      const u = itemUsers.values[p]!;
      for (let q = userItems.offsets[u]!; q < userItems.offsets[u + 1]!; q++) {
        const j = userItems.values[q]!;
        if (j === i) continue;
        if (co[j] === 0) touched[nTouched++] = j;
        co[j]! += 1;
      }
    }
    const best = new Heap<number>(worseFirst);
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t]!;
      sim[j] = co[j]! / (Math.sqrt(degree[i]! * degree[j]!) + params.shrinkage);
      co[j] = 0;
      if (best.length < params.k) best.push(j);
      else if (worseFirst(best.peek()!, j) < 0) best.replace(j);
    }
    const top = best.toArray().sort((a, b) => worseFirst(b, a));
    result.set(itemIds[i]!, top.map((j) => ({ movieId: itemIds[j]!, score: sim[j]! })));
  }
  return result;
}

interface Csr {
  offsets: Int32Array;
  values: Int32Array;
}

function buildIndex(data: Interactions): { itemIds: number[]; userItems: Csr; itemUsers: Csr } {
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
  return { itemIds, userItems: csr(users, items, userIds.length), itemUsers: csr(items, users, itemIds.length) };
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
