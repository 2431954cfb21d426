import { describe, expect, it } from 'vitest';
import { easeWeights, invertInPlace } from '../../../lambdas/core/ease';
import { seededRandom } from '../../../lambdas/core/random';

describe('easeWeights', () => {
  it('solves the closed form on a case computed by hand', () => {
    // Users: {A, B} and {A}. XᵀX + I = [[3, 1], [1, 2]]; its inverse is [[2, -1], [-1, 3]] / 5.
    // B_AB = -P_AB / P_BB = 1/3 and B_BA = -P_BA / P_AA = 1/2; the diagonal is zero.
    const b = easeWeights([Int32Array.from([0, 1]), Int32Array.from([0])], 2, 1);
    expect([...b.values].map((v) => Number(v.toFixed(12)))).toEqual([0, Number((1 / 3).toFixed(12)), 0.5, 0]);
  });
});

describe('invertInPlace', () => {
  it.each([6, 101])('inverts a symmetric positive definite matrix of %i rows (blocks of pivots, and a last partial one)', (n) => {
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
    const inverse = a.slice();
    invertInPlace(inverse, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k]! * inverse[k * n + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
  });
});
