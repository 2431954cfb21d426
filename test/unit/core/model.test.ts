import { describe, expect, it } from 'vitest';
import { DEFAULT_NEIGHBOUR_PARAMS } from '../../../lambdas/core/item-neighbours';
import { refreshModel, trainModel, trainedOn } from '../../../lambdas/core/model';
import type { Movie } from '../../../lambdas/core/movie';

const genres = ['Drama', 'Comedy', 'Horror'];
const catalog: Movie[] = Array.from({ length: 30 }, (_, i) => ({ movieId: i + 1, title: `Movie ${i + 1}`, genres: [genres[i % 3]!] }));

/** Each of 60 users rates a run of 8 movies, so that neighbouring movies share raters. */
function interactions() {
  const userIds: number[] = [];
  const movieIds: number[] = [];
  for (let u = 1; u <= 60; u++) {
    for (let j = 0; j < 8; j++) {
      userIds.push(u);
      movieIds.push(((u + j) % 30) + 1);
    }
  }
  return { userIds: Int32Array.from(userIds), movieIds: Int32Array.from(movieIds) };
}

const params = { ...DEFAULT_NEIGHBOUR_PARAMS, headItems: 10 };
const trained = trainModel({ interactions: interactions(), catalog, date: '2026-11-22', params });
const evaluation = { protocol: 'the latest 10% of the events by time', users: 5, trainRatings: 400, testRatings: 40, k: 10 } as const;
const scores = { precision: 0.1, recall: 0.2, ndcg: 0.3, map: 0.1, coverage: 0.5 };
const measured = { ...trained, manifest: { ...trained.manifest, evaluation: { ...evaluation, model: scores, hybrid: scores, popularity: scores } } };

describe('refreshModel: the model of a day between trainings', () => {
  it('keeps the trained item weights and measure, and takes the day\'s rating counts, popularity and catalog', () => {
    const counts = new Map(catalog.map((m) => [m.movieId, m.movieId === 30 ? 500 : 10]));
    counts.set(99, 7); // rated, but not in the catalog: counted among the ratings, never recommended
    const added: Movie = { movieId: 31, title: 'New this week', genres: ['Horror'] };
    counts.set(31, 1_000);
    const refreshed = refreshModel(measured, { catalog: [...catalog, added], ratingCounts: counts, users: 61, date: '2026-11-24' });

    expect(refreshed.manifest).toMatchObject({ date: '2026-11-24', trainedOn: '2026-11-22', params, evaluation: measured.manifest.evaluation });
    expect(refreshed.manifest.version).toMatch(/^2026-11-24-[0-9a-f]{12}$/);
    expect(refreshed.manifest.counts).toEqual({ ratings: 29 * 10 + 500 + 7 + 1_000, users: 61, movies: 31, headMovies: 10, moviesWithNeighbours: trained.manifest.counts.moviesWithNeighbours });
    expect(refreshed.head).toEqual(trained.head);
    expect(refreshed.neighbours).toEqual(trained.neighbours);
    expect(refreshed.popular.slice(0, 2)).toEqual([31, 30]);
    expect(refreshed.popularByGenre.get('Horror')!.slice(0, 2)).toEqual([31, 30]);
    expect(refreshed.movies.find((m) => m.movieId === 31)).toEqual({ ...added, ratingCount: 1_000 });
    expect(trainedOn(refreshed.manifest)).toBe('2026-11-22');
  });

  it('drops the weights of movies the catalog no longer holds, and leaves the trained model as it was', () => {
    const head = Array.from(trained.head.movieIds);
    const gone = head[0]!;
    const before = structuredClone(trained.neighbours);
    const refreshed = refreshModel(trained, {
      catalog: catalog.filter((m) => m.movieId !== gone),
      ratingCounts: new Map(catalog.map((m) => [m.movieId, 10])),
      users: 60,
      date: '2026-11-23',
    });
    expect(Array.from(refreshed.head.movieIds)).toEqual(head.slice(1));
    for (const [id, list] of refreshed.neighbours) {
      expect(id).not.toBe(gone);
      expect(list.map((n) => n.movieId)).not.toContain(gone);
    }
    expect(trained.neighbours).toEqual(before);
    expect(refreshed.manifest.evaluation).toBeUndefined();
  });

  it('gives the same version for the same day, and a trained model names its own date', () => {
    const input = { catalog, ratingCounts: new Map([[1, 3]]), users: 1, date: '2026-11-23' };
    expect(refreshModel(trained, input).manifest.version).toBe(refreshModel(trained, input).manifest.version);
    expect(trained.manifest.trainedOn).toBe('2026-11-22');
    expect(trainedOn({ ...trained.manifest, trainedOn: undefined })).toBe('2026-11-22');
  });
});
