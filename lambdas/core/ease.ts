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

/** Pivots eliminated together: each other row is then read and written once per block, not once per pivot. */
const BLOCK = 48;

/**
 * Gauss-Jordan inversion in place, without pivoting: safe for the symmetric positive definite
 * XᵀX + λI (λ > 0). Blocked: the rows of BLOCK pivots are eliminated among themselves first, after
 * which they hold (A_KK)⁻¹ and (A_KK)⁻¹·A_KJ, and every other row i becomes its own entries outside
 * the block minus a_iK times those rows: a rank-BLOCK update that streams row i once instead of
 * BLOCK times. The matrix no longer passes through memory once per pivot, which bounded the plain
 * form (n passes over n² values).
 */
export function invertInPlace(a: Float64Array, n: number): void {
  const f = new Float64Array(BLOCK);
  for (let k0 = 0; k0 < n; k0 += BLOCK) {
    const k1 = Math.min(n, k0 + BLOCK);
    // The block's rows, eliminated among themselves.
    for (let k = k0; k < k1; k++) {
      const rowK = k * n;
      const pivot = a[rowK + k]!;
      a[rowK + k] = 1;
      for (let j = 0; j < n; j++) a[rowK + j]! /= pivot;
      for (let i = k0; i < k1; i++) {
        if (i === k) continue;
        const rowI = i * n;
        const m = a[rowI + k]!;
        if (m === 0) continue;
        a[rowI + k] = 0;
        for (let j = 0; j < n; j++) a[rowI + j]! -= m * a[rowK + j]!;
      }
    }
    // Every other row: its block columns taken out, then the block's rows subtracted by them.
    const width = k1 - k0;
    for (let i = 0; i < n; i++) {
      if (i >= k0 && i < k1) continue;
      const rowI = i * n;
      for (let k = 0; k < width; k++) {
        f[k] = a[rowI + k0 + k]!;
        a[rowI + k0 + k] = 0;
      }
      let k = 0;
      // Eight block rows a pass: eight multiply-adds for each load and store of row i.
      for (; k + 8 <= width; k += 8) {
        const [f0, f1, f2, f3, f4, f5, f6, f7] = [f[k]!, f[k + 1]!, f[k + 2]!, f[k + 3]!, f[k + 4]!, f[k + 5]!, f[k + 6]!, f[k + 7]!];
        const r0 = (k0 + k) * n;
        const [r1, r2, r3, r4, r5, r6, r7] = [r0 + n, r0 + 2 * n, r0 + 3 * n, r0 + 4 * n, r0 + 5 * n, r0 + 6 * n, r0 + 7 * n];
        for (let j = 0; j < n; j++) {
          a[rowI + j]! -=
            f0 * a[r0 + j]! + f1 * a[r1 + j]! + f2 * a[r2 + j]! + f3 * a[r3 + j]! + f4 * a[r4 + j]! + f5 * a[r5 + j]! + f6 * a[r6 + j]! + f7 * a[r7 + j]!;
        }
      }
      for (; k < width; k++) {
        const m = f[k]!;
        if (m === 0) continue;
        const r = (k0 + k) * n;
        for (let j = 0; j < n; j++) a[rowI + j]! -= m * a[r + j]!;
      }
    }
  }
}
