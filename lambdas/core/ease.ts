/**
 * EASE (Steck 2019): the item-item weights B that best reconstruct each user's ratings from their
 * other ratings, in closed form: P = (XᵀX + λI)⁻¹, B_ij = -P_ij / P_jj, B_ii = 0. Its cost grows with
 * the cube of the number of items, so it is fitted on the most rated movies (the head) only.
 */
import { instantiate, memoryOf } from './kernels/instantiate';
import { RANK_UPDATE_WASM } from './kernels/rank-update.wasm';

/** Dense, row-major square matrix. */
export interface SquareMatrix {
  n: number;
  values: Float64Array;
}

/**
 * Weights among `head` (dense indices 0..n-1): `itemsOfUser` lists, per user, the head indices they
 * rated, each once. Returns B, row i holding the weights of source i towards every target j.
 */
export function easeWeights(itemsOfUser: readonly Int32Array[], n: number, lambda: number): SquareMatrix {
  const sweep = new SymmetricSweep(n);
  const g = sweep.matrix;
  // XᵀX, upper triangle only: the inversion reads no other.
  for (const items of itemsOfUser) {
    const sorted = items.slice().sort();
    for (let a = 0; a < sorted.length; a++) {
      const row = sorted[a]! * n;
      for (let b = a; b < sorted.length; b++) g[row + sorted[b]!]! += 1;
    }
  }
  for (let i = 0; i < n; i++) g[i * n + i]! += lambda;
  sweep.invert();
  const diagonal = new Float64Array(n);
  for (let j = 0; j < n; j++) diagonal[j] = g[j * n + j]!;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) g[row + j] = i === j ? 0 : -g[row + j]! / diagonal[j]!;
  }
  return { n, values: g };
}

/** Pivots swept together: each row is then read and written once per block, not once per pivot. */
const BLOCK = 48;

type RankUpdate = (target: number, rows: number, f: number, n: number, w: number, from: number, to: number) => void;

/**
 * Inverts a symmetric positive definite matrix (XᵀX + λI) with the sweep operator, BLOCK pivots at
 * a time. Sweeping keeps the matrix symmetric, so only its upper triangle is updated: half the work
 * of Gauss-Jordan. Sweeping the block K of S:
 *   S_KK ← -S_KK⁻¹,  S_KR ← S_KK⁻¹ S_KR,  S_RR ← S_RR - S_RK S_KK⁻¹ S_KR   (R: every other index)
 * and once every index is swept, S = -A⁻¹. The last update, the bulk of the cost, runs in a
 * WebAssembly SIMD kernel (kernels/rank-update.as.ts) over the matrix in the kernel's memory.
 * No pivoting is needed: S_KK is always a Schur complement of a positive definite matrix.
 */
export class SymmetricSweep {
  /** The n × n matrix, row-major: fill its upper triangle (j >= i), then `invert`. */
  readonly matrix: Float64Array;
  private readonly n: number;
  /** The block's rows before the sweep, and S_KK⁻¹ S_K· after it; multipliers of one row. */
  private readonly rows: Float64Array;
  private readonly next: Float64Array;
  private readonly f: Float64Array;
  private readonly offsets: { matrix: number; rows: number; next: number; f: number };
  private readonly rankUpdate: RankUpdate;

  constructor(n: number) {
    this.n = n;
    const matrix = 0;
    const rows = matrix + n * n * 8;
    const next = rows + BLOCK * n * 8;
    const f = next + BLOCK * n * 8;
    const bytes = f + BLOCK * 8;
    const memory = memoryOf(bytes);
    this.rankUpdate = instantiate(RANK_UPDATE_WASM, memory).rankUpdate as RankUpdate;
    this.offsets = { matrix, rows, next, f };
    this.matrix = new Float64Array(memory.buffer, matrix, n * n);
    this.rows = new Float64Array(memory.buffer, rows, BLOCK * n);
    this.next = new Float64Array(memory.buffer, next, BLOCK * n);
    this.f = new Float64Array(memory.buffer, f, BLOCK);
  }

  /** Replaces the matrix by its inverse, both triangles filled. */
  invert(): void {
    const { n, matrix: a, rows, next, f, offsets } = this;
    const inverse = new Float64Array(BLOCK * BLOCK);
    for (let k0 = 0; k0 < n; k0 += BLOCK) {
      const k1 = Math.min(n, k0 + BLOCK);
      const w = k1 - k0;
      // The block's rows in full: to the right of the diagonal from their own rows, to the left
      // from the block's columns of the rows above (a short contiguous read per row).
      for (let k = 0; k < w; k++) rows.set(a.subarray((k0 + k) * n + k0 + k, (k0 + k + 1) * n), k * n + k0 + k);
      for (let j = 0; j < k0; j++) {
        const from = j * n + k0;
        for (let k = 0; k < w; k++) rows[k * n + j] = a[from + k]!;
      }
      for (let k = 0; k < w; k++) for (let m = 0; m < k; m++) rows[k * n + k0 + m] = rows[m * n + k0 + k]!;
      for (let k = 0; k < w; k++) for (let m = 0; m < w; m++) inverse[k * w + m] = rows[k * n + k0 + m]!;
      invertSmall(inverse, w);
      // next = S_KK⁻¹ · (the block's rows), as next_k -= (-S_KK⁻¹)_k· · rows.
      next.fill(0);
      for (let k = 0; k < w; k++) {
        for (let m = 0; m < w; m++) f[m] = -inverse[k * w + m]!;
        this.rankUpdate(offsets.next + k * n * 8, offsets.rows, offsets.f, n, w, 0, n);
      }
      // S_RR ← S_RR - S_RK · next, upper triangle: row i from column i on. The multipliers of row
      // i, S_iK, are column i of the block's rows before the sweep.
      for (let i = 0; i < n; i++) {
        if (i >= k0 && i < k1) continue;
        for (let m = 0; m < w; m++) f[m] = rows[m * n + i]!;
        this.rankUpdate(offsets.matrix + i * n * 8, offsets.next, offsets.f, n, w, i, n);
      }
      // The block's columns of the rows above it (the update above wrote them in passing), and
      // the block's own rows: -S_KK⁻¹ inside the block, S_KK⁻¹ S_KR to its right.
      for (let i = 0; i < k0; i++) for (let k = 0; k < w; k++) a[i * n + k0 + k] = next[k * n + i]!;
      for (let k = 0; k < w; k++) {
        const row = (k0 + k) * n;
        for (let m = k; m < w; m++) a[row + k0 + m] = -inverse[k * w + m]!;
        a.set(next.subarray(k * n + k1, (k + 1) * n), row + k1);
      }
    }
    // S = -A⁻¹ in the upper triangle: negate it and mirror it.
    for (let i = 0; i < n; i++) {
      const row = i * n;
      for (let j = i; j < n; j++) {
        const v = -a[row + j]!;
        a[row + j] = v;
        a[j * n + i] = v;
      }
    }
  }
}

/** Gauss-Jordan in place on a small positive definite block (BLOCK × BLOCK at most). */
function invertSmall(m: Float64Array, w: number): void {
  for (let k = 0; k < w; k++) {
    const rowK = k * w;
    const pivot = m[rowK + k]!;
    m[rowK + k] = 1;
    for (let j = 0; j < w; j++) m[rowK + j]! /= pivot;
    for (let i = 0; i < w; i++) {
      if (i === k) continue;
      const rowI = i * w;
      const c = m[rowI + k]!;
      if (c === 0) continue;
      m[rowI + k] = 0;
      for (let j = 0; j < w; j++) m[rowI + j]! -= c * m[rowK + j]!;
    }
  }
}
