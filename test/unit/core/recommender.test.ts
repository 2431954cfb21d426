import { describe, expect, it } from 'vitest';
import type { RatingEvent } from '../../../lambdas/core/event-contract';
import { emptyUser, type UserFeatures } from '../../../lambdas/core/features';
import { NO_HEAD, type HeadWeights } from '../../../lambdas/core/item-neighbours';
import { indexModel, type Model } from '../../../lambdas/core/model';
import { seededRandom } from '../../../lambdas/core/random';
import { DEFAULT_RANKER, genreAffinity, rankByCollaborative, recommendForUser, similarMovies } from '../../../lambdas/core/recommender';

const { blend: BLEND, cfSources: CF_SOURCES, liking: LIKING, namedSourceShare: NAMED_SOURCE_SHARE } = DEFAULT_RANKER;

const movie = (movieId: number, genres: string[], ratingCount: number) => ({ movieId, title: `Movie ${movieId}`, genres, ratingCount });

const movies = [
  movie(1, ['Comedy'], 100),
  movie(2, ['Comedy', 'Drama'], 50),
  movie(3, ['Horror'], 80),
  movie(4, ['Drama'], 10),
  movie(5, ['Horror'], 5),
  movie(6, ['Comedy'], 0),
];

/** Dense weights among `ids`, row by row (source, then target). */
const head = (ids: number[], rows: number[][]): HeadWeights => ({ movieIds: Int32Array.from(ids), weights: Float32Array.from(rows.flat()) });

const model: Model = {
  manifest: {
    version: '2026-11-25-000000000001',
    date: '2026-11-25',
    algorithm: 'ease-head+rp3beta-tail',
    params: { similarity: 'ease', lambda: 1, headItems: 3, tail: { k: 10, alpha: 1, beta: 0, shrinkage: 0, weight: 1 } },
    counts: { ratings: 245, users: 0, movies: 6, headMovies: 3, moviesWithNeighbours: 5 },
  },
  movies,
  // The head: 1, 3 and 2. Rating 1 speaks for 2 and against 3.
  head: head(
    [1, 3, 2],
    [
      [0, -0.4, 0.5],
      [-0.3, 0, 0.1],
      [0.6, 0.2, 0],
    ],
  ),
  // The tail's lists: 4 and 5 point at movies of the head and at each other.
  neighbours: new Map([
    [4, [{ movieId: 2, score: 0.9 }, { movieId: 5, score: 0.3 }]],
    [5, [{ movieId: 3, score: 0.8 }]],
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
  // Latest first, as the stores read them.
  const events = ratings.map(([movieId, rating], i) => ({ eventId: `e${i}`, userId: 1, movieId, rating, eventTime: ratings.length - i }));
  return {
    features: { ...emptyUser(1), ratingCount: events.length, ratingSum: events.reduce((s, e) => s + e.rating, 0), genres },
    ratings: events,
  };
}

const ids = (items: { movieId: number }[]) => items.map((i) => i.movieId);

const GENRES = ['Action', 'Comedy', 'Drama', 'Horror', 'Romance', 'War'];

/** 80 movies of random genres and counts: the first 20 a head of random weights, the others random lists. */
function randomModel(rnd: ReturnType<typeof seededRandom>): Model {
  const pick = () => GENRES.filter(() => rnd.float() < 0.3);
  const many = Array.from({ length: 80 }, (_, i) => movie(i + 1, pick(), rnd.int(0, 500)));
  const headIds = many.slice(0, 20).map((m) => m.movieId);
  return {
    ...model,
    movies: many,
    head: head(headIds, headIds.map((a) => headIds.map((b) => (a === b ? 0 : rnd.float() - 0.4)))),
    neighbours: new Map(many.slice(20).map((m) => [m.movieId, Array.from({ length: 5 }, () => ({ movieId: rnd.int(1, 80), score: rnd.float() }))])),
    popular: [...many].sort((a, b) => b.ratingCount - a.ratingCount).map((m) => m.movieId),
    popularByGenre: new Map(GENRES.map((g) => [g, many.filter((m) => m.genres.includes(g)).map((m) => m.movieId)])),
  };
}

/** Up to 12 ratings of randomModel's movies, and random genre likings. */
function randomUser(rnd: ReturnType<typeof seededRandom>): ReturnType<typeof user> {
  const rated: [number, number][] = Array.from({ length: rnd.int(1, 12) }, () => [rnd.int(1, 80), rnd.int(1, 10) / 2]);
  const likes = Object.fromEntries(GENRES.map((g) => [g, { count: rnd.int(0, 5), sum: rnd.int(0, 25) }]));
  return user([...new Map(rated)], likes);
}

describe('recommendForUser', () => {
  it('ranks by popularity for an unknown user', () => {
    const items = recommendForUser(index, undefined, { limit: 10 });
    expect(ids(items)).toEqual([1, 3, 2, 4, 5]);
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

  it("adds a head movie's weights towards the whole head: a negative weight ranks a movie below those the ratings say nothing of", () => {
    const items = recommendForUser(index, user([[1, 5]]), { limit: 10, explain: true });
    expect(items[0]).toMatchObject({ movieId: 2, reason: 'similar to Movie 1' });
    // 3 is the second most rated movie, but rating 1 speaks against it: last, with a negative part.
    expect(ids(items)).toEqual([2, 4, 5, 3]);
    expect(items[3]!.explain!.collaborative).toBeLessThan(0);
    expect(items[3]!.explain!.because).toEqual([]);
    expect(items[3]!.reason).not.toMatch(/^similar to/);
  });

  it("adds a tail movie's list, and never recommends a rated movie", () => {
    const items = recommendForUser(index, user([[4, 5]]), { limit: 10 });
    expect(ids(items)).not.toContain(4);
    expect(items[0]).toMatchObject({ movieId: 2, reason: 'similar to Movie 4' });
    expect(items.find((i) => i.movieId === 5)!.reason).toBe('similar to Movie 4');
    expect(recommendForUser(index, user([[4, 5]]), { limit: 1 })).toHaveLength(1);
  });

  it('takes its parameters from the config passed in', () => {
    const rated = user([[1, 5]]);
    // Popularity alone: the most rated unrated movies, whatever the weights say.
    const popular = { ...DEFAULT_RANKER, blend: { ...DEFAULT_RANKER.blend, cf: 0, genre: 0 } };
    expect(ids(recommendForUser(index, rated, { limit: 10 }, popular))).toEqual([3, 2, 4, 5]);
    expect(ids(recommendForUser(index, rated, { limit: 10 }))).toEqual([2, 4, 5, 3]);
    // An explanation names as many rated movies as the config allows.
    const two = user([[1, 5], [4, 5]]);
    expect(recommendForUser(index, two, { limit: 1, explain: true })[0]!.explain!.because).toHaveLength(2);
    expect(recommendForUser(index, two, { limit: 1, explain: true }, { ...DEFAULT_RANKER, explainedSources: 1 })[0]!.explain!.because).toHaveLength(1);
  });

  it('counts a rated movie by how much it was liked, the least liked still a little', () => {
    const cf = (rating: number) => recommendForUser(index, user([[4, rating]]), { limit: 10, explain: true }).find((i) => i.movieId === 5)!.explain!;
    // Movie 2 holds the largest sum, so movie 5's part is its share of that: 0.3 / 0.9, whatever the rating...
    expect(cf(5).collaborative).toBeCloseTo(cf(0.5).collaborative, 4);
    // ...and the rating weighs each source against the others.
    const mixed = recommendForUser(index, user([[1, 0.5], [4, 5]]), { limit: 10, explain: true }).find((i) => i.movieId === 2)!.explain!;
    const low = 1 - LIKING;
    expect(mixed.because.map((b) => b.movieId)).toEqual([4, 1]);
    expect(mixed.because[1]!.contribution / mixed.because[0]!.contribution).toBeCloseTo((low * 0.5) / 0.9, 3);
  });

  it('names the rated movie behind a recommendation only when it brings a real share of the score', () => {
    // Five rated movies each give movie 6 the same small weight, or one of them a large one.
    const sources = [11, 12, 13, 14, 15];
    const catalog = [...movies, ...sources.map((id) => movie(id, ['Drama'], 1))];
    const spread = (first: number) =>
      indexModel({
        ...model,
        movies: catalog,
        head: head([...sources, 6], [...sources.map((_, s) => [...sources.map(() => 0), s === 0 ? first : 0.2]), [0, 0, 0, 0, 0, 0]]),
        neighbours: new Map(),
      });
    const rated = user(sources.map((id): [number, number] => [id, 5]));
    const even = recommendForUser(spread(0.2), rated, { limit: 1, explain: true })[0]!;
    expect(even.movieId).toBe(6);
    expect(even.explain!.because[0]!.contribution).toBeLessThan(NAMED_SOURCE_SHARE * even.score);
    expect(even.reason).toBe('similar to 5 movies you rated');
    const one = recommendForUser(spread(2), rated, { limit: 1, explain: true })[0]!;
    expect(one.explain!.because[0]!.contribution).toBeGreaterThanOrEqual(NAMED_SOURCE_SHARE * one.score);
    expect(one.reason).toBe('similar to Movie 11');
  });

  it('names the rated movie that contributed most, whatever order the ratings come in', () => {
    for (const ratings of [[[1, 4], [4, 5]], [[4, 5], [1, 4]]] as [number, number][][]) {
      expect(recommendForUser(index, user(ratings), { limit: 1 })[0]).toMatchObject({ movieId: 2, reason: 'similar to Movie 4' });
    }
  });

  it("adds a heavy rater's latest ratings only", () => {
    // Movie 4 rated first, then CF_SOURCES ratings of movies without weights.
    const filler = Array.from({ length: CF_SOURCES }, (_, i): [number, number] => [1000 + i, 4]);
    const catalog = { ...model, movies: [...movies, ...filler.map(([id]) => movie(id, ['Comedy'], 1))] };
    const heavy = user([...filler, [4, 5]]);
    expect(recommendForUser(indexModel(catalog), heavy, { limit: 10 }).some((i) => i.reason.startsWith('similar to'))).toBe(false);
    // One rating fewer, and movie 4 is among the latest: its list counts again.
    const lighter = user([...filler.slice(1), [4, 5]]);
    expect(recommendForUser(indexModel(catalog), lighter, { limit: 10 })[0]).toMatchObject({ movieId: 2, reason: 'similar to Movie 4' });
  });

  it('applies the genre filter to collaborative candidates too', () => {
    expect(ids(recommendForUser(index, user([[4, 5]]), { limit: 10, genre: 'Horror' })).sort()).toEqual([3, 5]);
    expect(ids(recommendForUser(index, user([[1, 5]]), { limit: 10, genre: 'Drama' })).sort()).toEqual([2, 4]);
  });

  it('explains each score by its parts and the rated movies behind its collaborative part, largest first', () => {
    const rated = user([[4, 5], [1, 4]], { Drama: { count: 1, sum: 5 }, Comedy: { count: 1, sum: 4 } });
    const plain = recommendForUser(index, rated, { limit: 3 });
    const explained = recommendForUser(index, rated, { limit: 3, explain: true });
    expect(explained.map(({ explain: _, ...rest }) => rest)).toEqual(plain);
    for (const item of explained) {
      const e = item.explain!;
      expect(e.collaborative + e.genre + e.popularity).toBeCloseTo(item.score, 3);
    }
    // Both rated movies raise movie 2, which holds the largest collaborative sum: the whole weight.
    const two = explained.find((i) => i.movieId === 2)!.explain!;
    expect(two.because.map((b) => [b.movieId, b.title, b.rating])).toEqual([[4, 'Movie 4', 5], [1, 'Movie 1', 4]]);
    expect(two.because.reduce((sum, b) => sum + b.contribution, 0)).toBeCloseTo(two.collaborative, 3);
    expect(two.collaborative).toBeCloseTo(BLEND.cf * (2 / 3), 4);
  });

  it('returns nothing when every candidate is rated', () => {
    const all: [number, number][] = [1, 2, 3, 4, 5, 6].map((id) => [id, 4]);
    expect(recommendForUser(index, user(all), { limit: 10 })).toEqual([]);
  });

  it('gives the first items of a longer page, whichever candidates it passes over unscored', () => {
    const rnd = seededRandom(11);
    const big = indexModel(randomModel(rnd));
    for (let n = 0; n < 50; n++) {
      const u = randomUser(rnd);
      const all = recommendForUser(big, u, { limit: 80, explain: true });
      const limit = rnd.int(1, 10);
      expect(recommendForUser(big, u, { limit, explain: true })).toEqual(all.slice(0, limit));
    }
  });

  it("answers each request as a fresh index would, and leaves the model's working memory clear", () => {
    const rnd = seededRandom(5);
    const trained = randomModel(rnd);
    const shared = indexModel(trained);
    for (let n = 0; n < 40; n++) {
      const u = randomUser(rnd);
      const options = { limit: 10, explain: true, ...(n % 3 === 0 ? { genre: GENRES[n % GENRES.length]! } : {}) };
      expect(recommendForUser(shared, u, options)).toEqual(recommendForUser(indexModel(trained), u, options));
      expect(shared.scratch.state.every((s) => s === 0)).toBe(true);
      expect(shared.scratch.cf.every((x) => x === 0)).toBe(true);
      expect(shared.scratch.place.every((i) => i === -1)).toBe(true);
    }
  });

  it('serves a model without a head from its lists alone', () => {
    const lists = indexModel({ ...model, head: NO_HEAD, neighbours: new Map([[1, [{ movieId: 4, score: 0.9 }, { movieId: 2, score: 0.5 }]]]) });
    expect(recommendForUser(lists, user([[1, 5]]), { limit: 2 })).toMatchObject([
      { movieId: 4, reason: 'similar to Movie 1' },
      { movieId: 2, reason: 'similar to Movie 1' },
    ]);
  });

  it('counts a movie a list names twice once', () => {
    const once = indexModel({ ...model, head: NO_HEAD, neighbours: new Map([[1, [{ movieId: 4, score: 0.9 }, { movieId: 2, score: 0.5 }]]]) });
    const twice = indexModel({
      ...model,
      head: NO_HEAD,
      neighbours: new Map([[1, [{ movieId: 4, score: 0.9 }, { movieId: 2, score: 0.5 }, { movieId: 4, score: 0.9 }]]]),
    });
    expect(twice.neighbourStart[twice.slots.get(1) + 1]! - twice.neighbourStart[twice.slots.get(1)]!).toBe(2);
    const options = { limit: 2, explain: true };
    expect(recommendForUser(twice, user([[1, 5]]), options)).toEqual(recommendForUser(once, user([[1, 5]]), options));
  });
});

describe('rankByCollaborative', () => {
  it("ranks by the collaborative sum alone, a negative one last, the user's movies excluded", () => {
    expect(rankByCollaborative(index, user([[1, 5]]).ratings, 10)).toEqual([2, 3]);
    expect(rankByCollaborative(index, user([[4, 5], [1, 5]]).ratings, 10)).toEqual([2, 5, 3]);
    expect(rankByCollaborative(index, [], 10)).toEqual([]);
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
  it("lists a head movie's positive weights, scaled so that the closest scores 1", () => {
    expect(similarMovies(index, 2, 10)).toEqual([
      { movieId: 1, title: 'Movie 1', genres: ['Comedy'], score: 1, reason: 'similar to Movie 2' },
      { movieId: 3, title: 'Movie 3', genres: ['Horror'], score: 0.3333, reason: 'similar to Movie 2' },
    ]);
    // Rating 1 speaks against 3: it is not among 1's similar movies.
    expect(ids(similarMovies(index, 1, 10)!)).toEqual([2]);
  });

  it("lists a tail movie's neighbours on the same scale, and nothing for a movie without weights", () => {
    expect(similarMovies(index, 4, 10)!.map((i) => [i.movieId, i.score])).toEqual([
      [2, 1],
      [5, 0.3333],
    ]);
    expect(similarMovies(index, 4, 1)).toHaveLength(1);
    expect(similarMovies(index, 6, 10)).toEqual([]);
  });

  it('returns undefined for a movie outside the catalog', () => {
    expect(similarMovies(index, 999, 10)).toBeUndefined();
  });
});
