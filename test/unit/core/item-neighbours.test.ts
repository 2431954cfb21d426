import { describe, expect, it } from 'vitest';
import { itemNeighbours, type Interactions } from '../../../lambdas/core/item-neighbours';

/** u1 rated 10 and 20; u2 rated 10, 20 and 30; u3 rated 30 and 40. */
const data: Interactions = {
  userIds: Int32Array.from([1, 1, 2, 2, 2, 3, 3]),
  movieIds: Int32Array.from([10, 20, 10, 20, 30, 30, 40]),
};

describe('itemNeighbours', () => {
  it('scores co-raters by cosine, best first', () => {
    const n = itemNeighbours(data, { similarity: 'cosine', k: 10, shrinkage: 0 });
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
    const n = itemNeighbours(data, { similarity: 'cosine', k: 10, shrinkage: 10 });
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
    const n = itemNeighbours(data, { similarity: 'cosine', k: 1, shrinkage: 0 });
    expect(n.get(10)).toEqual([{ movieId: 20, score: 1 }]);
    expect(n.get(20)).toEqual([{ movieId: 10, score: 1 }]);
  });

  it('walks item -> user -> item for rp3beta, dividing by the target popularity to the power beta', () => {
    // alpha 1: P(10 -> u) = 1/2, P(u1 -> 20) = 1/2, P(u2 -> 20) = 1/3; beta 1 divides by |20| = 2.
    const n = itemNeighbours(data, { similarity: 'rp3beta', k: 10, alpha: 1, beta: 1 });
    expect(n.get(10)).toEqual([
      { movieId: 20, score: ((1 / 2) * (1 / 2 + 1 / 3)) / 2 },
      { movieId: 30, score: ((1 / 2) * (1 / 3)) / 2 },
    ]);
    const flat = itemNeighbours(data, { similarity: 'rp3beta', k: 10, alpha: 1, beta: 0 });
    expect(flat.get(40)).toEqual([{ movieId: 30, score: 1 / 2 }]);
  });

  it('uses EASE weights among the head movies and rescaled rp3beta rows for the tail', () => {
    const n = itemNeighbours(data, { similarity: 'ease', k: 10, lambda: 1, headItems: 3, tail: { alpha: 1, beta: 0 } });
    // The head is the three movies rated twice; 40, rated once, is the tail.
    // 10 shares two raters with 20 and one with 30.
    expect(n.get(10)!.map((x) => x.movieId)).toEqual([20, 30]);
    expect(n.get(10)![1]!.score).toBeGreaterThan(0);
    expect(n.get(40)!.map((x) => x.movieId)).toEqual([30]);
    expect([...n.keys()].sort()).toEqual([10, 20, 30, 40]);
  });

  it('gives an empty list to a movie nobody else shares a rater with', () => {
    const n = itemNeighbours({ userIds: Int32Array.from([1, 2]), movieIds: Int32Array.from([5, 6]) });
    expect(n.get(5)).toEqual([]);
    expect(n.get(6)).toEqual([]);
  });
});
