import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../lambdas/core/random';
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

  it('keeps what sorting every offer would, whatever the order and the ties', () => {
    const rnd = seededRandom(3);
    for (let round = 0; round < 200; round++) {
      const n = rnd.int(1, 12);
      const offers = Array.from({ length: rnd.int(0, 40) }, (_, item) => ({ item, score: rnd.int(0, 8) / 4, id: rnd.int(1, 30) }));
      const top = new TopN(n);
      for (const o of offers) top.offer(o.item, o.score, o.id);
      const sorted = [...offers].sort((a, b) => b.score - a.score || a.id - b.id || a.item - b.item).slice(0, n);
      expect(top.scores).toEqual(sorted.map((o) => o.score));
      // Equal score and id: the one offered first stays before.
      expect(top.items).toEqual(sorted.map((o) => o.item));
    }
  });
});
