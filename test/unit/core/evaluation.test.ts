import { describe, expect, it } from 'vitest';
import { evaluate, rankingMetrics } from '../../../lambdas/core/evaluation';

describe('rankingMetrics', () => {
  it('matches values computed by hand', () => {
    // Hits at ranks 1 and 3 of 10, three relevant items.
    const m = rankingMetrics([1, 5, 2, 6, 7, 8, 9, 10, 11, 12], new Set([1, 2, 3]), 10);
    expect(m.precision).toBe(2 / 10);
    expect(m.recall).toBe(2 / 3);
    // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) + 1/log2(4).
    expect(m.ndcg).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3) + 0.5), 12);
    // AP@10 = (1/1 + 2/3) / min(3, 10).
    expect(m.map).toBeCloseTo((1 + 2 / 3) / 3, 12);
  });

  it('counts only the first k items and caps the ideal at k', () => {
    const relevant = new Set(Array.from({ length: 20 }, (_, i) => i + 1));
    const m = rankingMetrics(Array.from({ length: 15 }, (_, i) => i + 1), relevant, 10);
    expect(m).toEqual({ precision: 1, recall: 10 / 20, ndcg: 1, map: 1 });
  });

  it('scores an empty list as zero', () => {
    expect(rankingMetrics([], new Set([4]), 10)).toEqual({ precision: 0, recall: 0, ndcg: 0, map: 0 });
  });
});

describe('evaluate', () => {
  it('averages over the test users and measures coverage of the catalog', () => {
    const test = new Map([
      [1, new Set([1, 2, 3])],
      [2, new Set([4])],
    ]);
    const lists = new Map([
      [1, [1, 5, 2, 6, 7, 8, 9, 10, 11, 12]],
      [2, [] as number[]],
    ]);
    const r = evaluate(test, (u) => lists.get(u)!, { k: 10, catalogSize: 20 });
    const ndcg1 = 1.5 / (1 + 1 / Math.log2(3) + 0.5);
    expect(r.users).toBe(2);
    expect(r.precision).toBeCloseTo(0.1, 12);
    expect(r.recall).toBeCloseTo(1 / 3, 12);
    expect(r.ndcg).toBeCloseTo(ndcg1 / 2, 12);
    expect(r.map).toBeCloseTo((1 + 2 / 3) / 3 / 2, 12);
    expect(r.coverage).toBe(10 / 20);
    expect(evaluate(test, (u) => lists.get(u)!, { k: 10, catalogSize: 20, users: (u) => u === 2 }).users).toBe(1);
  });
});
