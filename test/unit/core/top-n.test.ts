import { describe, expect, it } from 'vitest';
import { TopN } from '../../../lambdas/core/top-n';

describe('TopN', () => {
  it('keeps the n best offered, best first, ties by the smaller id', () => {
    const top = new TopN(3);
    [
      [10, 0.5, 7],
      [11, 0.9, 3],
      [12, 0.5, 2],
      [13, 0.1, 1],
      [14, 0.7, 9],
    ].forEach(([item, score, id]) => top.offer(item!, score!, id!));
    expect(top.items).toEqual([11, 14, 12]);
    expect(top.scores).toEqual([0.9, 0.7, 0.5]);
  });

  it('turns away an item no better than the last of a full list, and keeps nothing for n = 0', () => {
    const top = new TopN(1);
    top.offer(1, 0.5, 4);
    top.offer(2, 0.5, 5);
    expect(top.items).toEqual([1]);
    const none = new TopN(0);
    none.offer(1, 1, 1);
    expect(none.items).toEqual([]);
  });

  it('needs no score until full, then at least that of its last item', () => {
    const top = new TopN(2);
    expect(top.floor).toBe(-Infinity);
    top.offer(1, 0.5, 1);
    expect(top.floor).toBe(-Infinity);
    top.offer(2, 0.9, 2);
    expect(top.floor).toBe(0.5);
    top.offer(3, 0.7, 3);
    expect(top.floor).toBe(0.7);
  });
});
