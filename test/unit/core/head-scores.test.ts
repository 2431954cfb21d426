import { describe, expect, it } from 'vitest';
import { HeadScores } from '../../../lambdas/core/head-scores';
import { seededRandom } from '../../../lambdas/core/random';

describe('HeadScores', () => {
  it.each([
    [1, 1],
    [7, 5],
    [64, 64],
    [101, 37],
  ])('adds the weighted rows of a %i-movie head (%i rows, in fours and one by one) as a plain sum does', (n, count) => {
    const rnd = seededRandom(n);
    const weights = Float32Array.from({ length: n * n }, () => rnd.float() - 0.5);
    const slots = n + 3;
    const scores = new HeadScores(weights, n, slots);
    expect([...scores.weights]).toEqual([...weights]);
    const rows = Array.from({ length: count }, () => rnd.int(0, n - 1));
    const likings = Array.from({ length: count }, () => rnd.float());
    scores.sums.fill(0.25);
    scores.add(rows, likings, count);
    for (let t = 0; t < n; t++) {
      let sum = 0.25;
      for (let k = 0; k < count; k++) sum += likings[k]! * weights[rows[k]! * n + t]!;
      expect(scores.sums[t]).toBeCloseTo(sum, 12);
    }
    // The slots outside the head are the caller's: untouched.
    expect([...scores.sums.subarray(n)]).toEqual([0.25, 0.25, 0.25]);
  });
});
