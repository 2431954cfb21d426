import { describe, expect, it } from 'vitest';
import { easeWeights, SymmetricSweep } from '../../../lambdas/core/ease';
import { seededRandom } from '../../../lambdas/core/random';

describe('easeWeights', () => {
  it('solves the closed form on a case computed by hand', () => {
    // Users: {A, B} and {A}. XᵀX + I = [[3, 1], [1, 2]]; its inverse is [[2, -1], [-1, 3]] / 5.
    // B_AB = -P_AB / P_BB = 1/3 and B_BA = -P_BA / P_AA = 1/2; the diagonal is zero.
    const b = easeWeights([Int32Array.from([0, 1]), Int32Array.from([0])], 2, 1);
    expect([...b.values].map((v) => Number(v.toFixed(12)))).toEqual([0, Number((1 / 3).toFixed(12)), 0.5, 0]);
  });
});

describe('SymmetricSweep', () => {
  it.each([6, 101, 203])('inverts a symmetric positive definite matrix of %i rows from its upper triangle (blocks of pivots, and a last partial one)', (n) => {
    const rnd = seededRandom(3);
    const m = Array.from({ length: n * n }, () => rnd.float());
    // A = MᵀM + I is symmetric positive definite.
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? 1 : 0;
        for (let k = 0; k < n; k++) s += m[k * n + i]! * m[k * n + j]!;
        a[i * n + j] = s;
      }
    const sweep = new SymmetricSweep(n);
    // Only the upper triangle is read: the lower one holds noise.
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sweep.matrix[i * n + j] = j >= i ? a[i * n + j]! : rnd.float();
    sweep.invert();
    const inverse = sweep.matrix;
    let residual = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k]! * inverse[k * n + j]!;
        residual = Math.max(residual, Math.abs(s - (i === j ? 1 : 0)));
      }
    expect(residual).toBeLessThan(1e-10);
    // Both triangles are filled, and equal.
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(inverse[i * n + j]).toBe(inverse[j * n + i]);
  });
});
