/**
 * EASE (Steck 2019): the item-item weights B that best reconstruct each user's ratings from their
 * other ratings, in closed form: P = (XᵀX + λI)⁻¹, B_ij = -P_ij / P_jj, B_ii = 0. Its cost grows with
 * the cube of the number of items, so it is fitted on the most rated movies (the head) only.
 */

/** Dense, row-major square matrix. */
export interface SquareMatrix {
  n: number;
  values: Float64Array;
}

/**
 * Weights among `head` (dense indices 0..n-1): `itemsOfUser` lists, per user, the head indices they
 * rated. Returns B, row i holding the weights of source i towards every target j.
 */
export function easeWeights(itemsOfUser: readonly Int32Array[], n: number, lambda: number): SquareMatrix {
  const g = new Float64Array(n * n);
  for (const items of itemsOfUser) {
    for (let a = 0; a < items.length; a++) {
      const row = items[a]! * n;
      for (let b = 0; b < items.length; b++) g[row + items[b]!]! += 1;
    }
  }
  for (let i = 0; i < n; i++) g[i * n + i]! += lambda;
  invertInPlace(g, n);
  const diagonal = new Float64Array(n);
  for (let j = 0; j < n; j++) diagonal[j] = g[j * n + j]!;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) g[row + j] = i === j ? 0 : -g[row + j]! / diagonal[j]!;
  }
  return { n, values: g };
}

/**
 * Gauss-Jordan inversion in place, without pivoting: safe for the symmetric positive definite
 * XᵀX + λI (λ > 0). Row operations run along contiguous memory.
 */
export function invertInPlace(a: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const rowK = k * n;
    const pivot = a[rowK + k]!;
    a[rowK + k] = 1;
    for (let j = 0; j < n; j++) a[rowK + j]! /= pivot;
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const rowI = i * n;
      const f = a[rowI + k]!;
      if (f === 0) continue;
      a[rowI + k] = 0;
      for (let j = 0; j < n; j++) a[rowI + j]! -= f * a[rowK + j]!;
    }
  }
}
