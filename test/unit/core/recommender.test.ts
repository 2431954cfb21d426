import { describe, expect, it } from 'vitest';
import type { RatingEvent } from '../../../lambdas/core/event-contract';
import { emptyUser, type UserFeatures } from '../../../lambdas/core/features';
import { indexModel, type Model } from '../../../lambdas/core/model';
import { CF_SOURCES, genreAffinity, recommendForUser, similarMovies } from '../../../lambdas/core/recommender';

const movie = (movieId: number, genres: string[], ratingCount: number) => ({ movieId, title: `Movie ${movieId}`, genres, ratingCount });

const movies = [
  movie(1, ['Comedy'], 100),
  movie(2, ['Comedy', 'Drama'], 50),
  movie(3, ['Horror'], 80),
  movie(4, ['Drama'], 10),
  movie(5, ['Horror'], 5),
  movie(6, ['Comedy'], 0),
];
const model: Model = {
  manifest: {
    version: '2026-11-25-000000000001',
    date: '2026-11-25',
    algorithm: 'item-knn-cosine',
    params: { similarity: 'cosine', k: 10, shrinkage: 0 },
    counts: { ratings: 245, users: 0, movies: 6, moviesWithNeighbours: 2 },
  },
  movies,
  neighbours: new Map([
    [1, [{ movieId: 4, score: 0.9 }, { movieId: 2, score: 0.5 }]],
    [3, [{ movieId: 5, score: 0.8 }]],
  ]),
  popular: [1, 3, 2, 4, 5],
  popularByGenre: new Map([
    ['Comedy', [1, 2]],
    ['Drama', [2, 4]],
    ['Horror', [3, 5]],
  ]),
};
const index = indexModel(model);

function user(ratings: [number, number][], genres: UserFeatures['genres'] = {}): { features: UserFeatures; ratings: RatingEvent[] } {
  const events = ratings.map(([movieId, rating], i) => ({ eventId: `e${i}`, userId: 1, movieId, rating, eventTime: i }));
  return {
    features: { ...emptyUser(1), ratingCount: events.length, ratingSum: events.reduce((s, e) => s + e.rating, 0), genres },
    ratings: events,
  };
}

describe('recommendForUser', () => {
  it('names the rated movie that contributed most, whatever order the ratings come in', () => {
    const shared = indexModel({ ...model, neighbours: new Map([[1, [{ movieId: 6, score: 0.2 }]], [3, [{ movieId: 6, score: 0.9 }]]]) });
    for (const ratings of [[[1, 5], [3, 4]], [[3, 4], [1, 5]]] as [number, number][][]) {
      expect(recommendForUser(shared, user(ratings), { limit: 1 })[0]).toMatchObject({ movieId: 6, reason: 'similar to Movie 3' });
    }
  });

  it("takes collaborative candidates from a heavy rater's latest ratings only", () => {
    // Movie 1 (whose neighbours are 4 and 2) rated first, then CF_SOURCES ratings of movies without neighbours.
    const filler = Array.from({ length: CF_SOURCES }, (_, i): [number, number] => [1000 + i, 4]);
    const heavy = user([[1, 5], ...filler]);
    const catalog = { ...model, movies: [...movies, ...filler.map(([id]) => movie(id, ['Comedy'], 1))] };
    const items = recommendForUser(indexModel(catalog), heavy, { limit: 10 });
    expect(items.some((i) => i.reason.startsWith('similar to'))).toBe(false);
    // One rating fewer, and movie 1 is among the latest: its neighbours come back.
    const lighter = user([[1, 5], ...filler.slice(1)]);
    expect(recommendForUser(indexModel(catalog), lighter, { limit: 10 })[0]).toMatchObject({ movieId: 4, reason: 'similar to Movie 1' });
  });

  it('ranks by popularity for an unknown user', () => {
    const items = recommendForUser(index, undefined, { limit: 10 });
    expect(items.map((i) => i.movieId)).toEqual([1, 3, 2, 4, 5]);
    expect(items.every((i) => i.reason === 'popular overall')).toBe(true);
    expect(items[0]!.score).toBeGreaterThan(items[1]!.score);
  });

  it('filters by genre and says so in the reason', () => {
    const items = recommendForUser(index, undefined, { limit: 10, genre: 'Horror' });
    expect(items.map((i) => [i.movieId, i.reason])).toEqual([
      [3, 'popular in Horror'],
      [5, 'popular in Horror'],
    ]);
  });

  it('recommends neighbours of liked movies, never a rated one, with the source in the reason', () => {
    const items = recommendForUser(index, user([[1, 5], [3, 5]], { Comedy: { count: 1, sum: 5 }, Horror: { count: 1, sum: 5 } }), {
      limit: 10,
    });
    // Movie 6 shares the favourite genre, but nobody rated it: there is nothing to recommend it by.
    expect(items.map((i) => i.movieId).sort()).toEqual([2, 4, 5]);
    const reasons = new Map(items.map((i) => [i.movieId, i.reason]));
    expect(reasons.get(4)).toBe('similar to Movie 1');
    expect(reasons.get(5)).toBe('similar to Movie 3');
    expect(recommendForUser(index, user([[1, 5]]), { limit: 1 })).toHaveLength(1);
  });

  it('ignores the neighbours of movies the user disliked the most', () => {
    const items = recommendForUser(index, user([[3, 0.5]]), { limit: 10 });
    expect(items.find((i) => i.movieId === 5)?.reason).not.toMatch(/^similar to/);
  });

  it('applies the genre filter to collaborative candidates too', () => {
    const items = recommendForUser(index, user([[1, 5]]), { limit: 10, genre: 'Drama' });
    expect(items.map((i) => i.movieId).sort()).toEqual([2, 4]);
  });

  it('explains each score by its parts and the rated movies behind its collaborative part, largest first', () => {
    // Movies 1 and 3 both point at movie 6: its collaborative part comes from both.
    const shared = indexModel({ ...model, neighbours: new Map([[1, [{ movieId: 6, score: 0.2 }]], [3, [{ movieId: 6, score: 0.9 }, { movieId: 5, score: 0.3 }]]]) });
    const plain = recommendForUser(shared, user([[1, 5], [3, 4]]), { limit: 3 });
    const explained = recommendForUser(shared, user([[1, 5], [3, 4]]), { limit: 3, explain: true });
    expect(explained.map(({ explain: _, ...rest }) => rest)).toEqual(plain);
    for (const item of explained) {
      const e = item.explain!;
      expect(e.collaborative + e.genre + e.popularity).toBeCloseTo(item.score, 3);
      const sources = e.because.reduce((sum, b) => sum + b.contribution, 0);
      expect(sources).toBeCloseTo(e.collaborative, 3);
    }
    const six = explained.find((i) => i.movieId === 6)!.explain!;
    expect(six.because.map((b) => [b.movieId, b.title, b.rating])).toEqual([[3, 'Movie 3', 4], [1, 'Movie 1', 5]]);
    // The movie with the most collaborative signal holds the whole weight of that part.
    expect(six.collaborative).toBeCloseTo(0.6 * (2 / 3), 4);
    expect(explained.find((i) => i.movieId === 2)!.explain).toMatchObject({ collaborative: 0, because: [] });
  });

  it('returns nothing when every candidate is rated', () => {
    const all: [number, number][] = [1, 2, 3, 4, 5, 6].map((id) => [id, 4]);
    expect(recommendForUser(index, user(all), { limit: 10 })).toEqual([]);
  });
});

describe('genreAffinity', () => {
  it('weighs the share of ratings by how well they were liked, scaled to the favourite', () => {
    const features: UserFeatures = {
      ...emptyUser(1),
      ratingCount: 4,
      ratingSum: 14,
      genres: { Comedy: { count: 3, sum: 13 }, Horror: { count: 1, sum: 1 } },
    };
    const comedy = (3 / 4) * ((13 / 3 - 0.5) / 4.5);
    const horror = (1 / 4) * ((1 - 0.5) / 4.5);
    const a = genreAffinity(features);
    expect(a.get('Comedy')).toBe(1);
    expect(a.get('Horror')).toBeCloseTo(horror / comedy, 12);
  });

  it('is empty for a user without ratings', () => {
    expect(genreAffinity(emptyUser(1)).size).toBe(0);
  });
});

describe('similarMovies', () => {
  it('lists the neighbours of a catalog movie', () => {
    expect(similarMovies(index, 1, 1)).toEqual([
      { movieId: 4, title: 'Movie 4', genres: ['Drama'], score: 0.9, reason: 'similar to Movie 1' },
    ]);
    expect(similarMovies(index, 6, 10)).toEqual([]);
  });

  it('returns undefined for a movie outside the catalog', () => {
    expect(similarMovies(index, 999, 10)).toBeUndefined();
  });
});
