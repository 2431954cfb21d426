import { describe, expect, it } from 'vitest';
import { itemWeights, type Interactions, type NeighbourParams } from '../../../lambdas/core/item-neighbours';

/** u1 rated 10 and 20; u2 rated 10, 20 and 30; u3 rated 30 and 40. */
const data: Interactions = {
  userIds: Int32Array.from([1, 1, 2, 2, 2, 3, 3]),
  movieIds: Int32Array.from([10, 20, 10, 20, 30, 30, 40]),
};

/** The neighbour lists of a walk (no head). */
const itemNeighbours = (d: Interactions, params: NeighbourParams) => itemWeights(d, params).neighbours;

describe('itemWeights', () => {
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
    const n = itemNeighbours(data, { similarity: 'rp3beta', k: 10, alpha: 1, beta: 1, shrinkage: 0 });
    expect(n.get(10)).toEqual([
      { movieId: 20, score: ((1 / 2) * (1 / 2 + 1 / 3)) / 2 },
      { movieId: 30, score: ((1 / 2) * (1 / 3)) / 2 },
    ]);
    const flat = itemNeighbours(data, { similarity: 'rp3beta', k: 10, alpha: 1, beta: 0, shrinkage: 0 });
    expect(flat.get(40)).toEqual([{ movieId: 30, score: 1 / 2 }]);
  });

  it('shrinks a walk by the raters behind each pair', () => {
    // 10 and 20 share two raters, 10 and 30 one: c / (c + 2) keeps 1/2 and 1/3 of their walks.
    const plain = itemNeighbours(data, { similarity: 'rp3beta', k: 10, alpha: 1, beta: 0, shrinkage: 0 });
    const shrunk = itemNeighbours(data, { similarity: 'rp3beta', k: 10, alpha: 1, beta: 0, shrinkage: 2 });
    const score = (list: typeof plain, from: number, to: number) => list.get(from)!.find((x) => x.movieId === to)!.score;
    expect(score(shrunk, 10, 20)).toBeCloseTo(score(plain, 10, 20) / 2, 12);
    expect(score(shrunk, 10, 30)).toBeCloseTo(score(plain, 10, 30) / 3, 12);
  });

  it('keeps EASE weights among the head movies whole, negative ones included, and rescaled rp3beta lists for the tail', () => {
    const tail = { k: 10, alpha: 1, beta: 0, shrinkage: 0, weight: 1 };
    const { head, neighbours } = itemWeights(data, { similarity: 'ease', lambda: 1, headItems: 3, tail });
    // The head is the three movies rated twice, in that order (ties by id); 40, rated once, is the tail.
    expect([...head.movieIds]).toEqual([10, 20, 30]);
    expect(head.weights).toHaveLength(9);
    expect([head.weights[0], head.weights[4], head.weights[8]]).toEqual([0, 0, 0]);
    expect(head.weights[0 * 3 + 1]).toBeGreaterThan(0);
    // Only the tail has lists, and its walk is brought to EASE's scale.
    expect([...neighbours.keys()]).toEqual([40]);
    expect(neighbours.get(40)!.map((x) => x.movieId)).toEqual([30]);
    const half = itemWeights(data, { similarity: 'ease', lambda: 1, headItems: 3, tail: { ...tail, weight: 0.5 } });
    expect(half.neighbours.get(40)![0]!.score).toBeCloseTo(neighbours.get(40)![0]!.score / 2, 12);
  });

  it('learns negative weights: a movie that the raters of another skip', () => {
    // Users 1-3 rated 10 and 20; users 4 and 5 rated 30 alone, user 6 rated 30 and 10.
    const pairs = [[1, 10], [1, 20], [2, 10], [2, 20], [3, 10], [3, 20], [4, 30], [5, 30], [6, 30], [6, 10]];
    const skipped = { userIds: Int32Array.from(pairs, (p) => p[0]!), movieIds: Int32Array.from(pairs, (p) => p[1]!) };
    const { head } = itemWeights(skipped, { similarity: 'ease', lambda: 1, headItems: 3, tail: { k: 10, alpha: 1, beta: 0, shrinkage: 0, weight: 1 } });
    expect([...head.movieIds]).toEqual([10, 20, 30]);
    const w = (from: number, to: number) => head.weights[from * 3 + to]!;
    // Who rated 20 never rated 30; the one who rated 10 and 30 is explained by 10, not 20.
    expect(w(1, 2)).toBeLessThan(0);
    expect(w(2, 1)).toBeLessThan(0);
    expect(w(0, 2)).toBeGreaterThan(0);
    expect(w(0, 1)).toBeGreaterThan(0);
  });

  it('gives an empty list to a movie nobody else shares a rater with', () => {
    const n = itemNeighbours({ userIds: Int32Array.from([1, 2]), movieIds: Int32Array.from([5, 6]) }, { similarity: 'cosine', k: 10, shrinkage: 0 });
    expect(n.get(5)).toEqual([]);
    expect(n.get(6)).toEqual([]);
  });
});
