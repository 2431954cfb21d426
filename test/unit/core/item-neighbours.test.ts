import { describe, expect, it } from 'vitest';
import { itemNeighbours, type Interactions } from '../../../lambdas/core/item-neighbours';

/** u1 rated 10 and 20; u2 rated 10, 20 and 30; u3 rated 30 and 40. */
const data: Interactions = {
  userIds: Int32Array.from([1, 1, 2, 2, 2, 3, 3]),
  movieIds: Int32Array.from([10, 20, 10, 20, 30, 30, 40]),
};

describe('itemNeighbours', () => {
  it('scores co-raters by cosine, best first', () => {
    const n = itemNeighbours(data, { k: 10, shrinkage: 0 });
    // |10| = 2, |20| = 2, |30| = 2, |40| = 1; co(10,20) = 2, co(10,30) = 1, co(30,40) = 1.
    expect(n.get(10)).toEqual([
      { movieId: 20, score: 2 / 2 },
      { movieId: 30, score: 1 / 2 },
    ]);
    expect(n.get(30)).toEqual([
      { movieId: 40, score: 1 / Math.sqrt(2) },
      { movieId: 10, score: 1 / 2 },
      { movieId: 20, score: 1 / 2 },
    ]);
    expect(n.get(40)).toEqual([{ movieId: 30, score: 1 / Math.sqrt(2) }]);
  });

  it('shrinks similarities backed by few co-raters', () => {
    const n = itemNeighbours(data, { k: 10, shrinkage: 10 });
    expect(n.get(30)).toEqual([
      { movieId: 40, score: 1 / (Math.sqrt(2) + 10) },
      { movieId: 10, score: 1 / (2 + 10) },
      { movieId: 20, score: 1 / (2 + 10) },
    ]);
    expect(n.get(10)).toEqual([
      { movieId: 20, score: 2 / (2 + 10) },
      { movieId: 30, score: 1 / (2 + 10) },
    ]);
  });

  it('keeps the top k and is symmetric', () => {
    const n = itemNeighbours(data, { k: 1, shrinkage: 0 });
    expect(n.get(10)).toEqual([{ movieId: 20, score: 1 }]);
    expect(n.get(20)).toEqual([{ movieId: 10, score: 1 }]);
  });

  it('gives an empty list to a movie nobody else shares a rater with', () => {
    const n = itemNeighbours({ userIds: Int32Array.from([1, 2]), movieIds: Int32Array.from([5, 6]) });
    expect(n.get(5)).toEqual([]);
    expect(n.get(6)).toEqual([]);
  });
});
