import { describe, expect, it } from 'vitest';
import { indexModel, trainModel } from '../../../lambdas/core/model';
import { searchMovies } from '../../../lambdas/core/movie-search';

const catalog = [
  { movieId: 1, title: 'Matrix, The (1999)', genres: ['Action', 'Sci-Fi'] },
  { movieId: 2, title: 'Matrix Reloaded, The (2003)', genres: ['Action', 'Sci-Fi'] },
  { movieId: 3, title: 'Amélie (Fabuleux destin d\'Amélie Poulain, Le) (2001)', genres: ['Comedy', 'Romance'] },
  { movieId: 4, title: 'Animatrix, The (2003)', genres: ['Animation'] },
  { movieId: 5, title: 'Mad Max (1979)', genres: ['Action'] },
];
// Movie 2 rated by three users, movie 1 by two, the others by one.
const ratings: [number, number][] = [[1, 1], [2, 1], [1, 2], [2, 2], [3, 2], [2, 3], [4, 3], [5, 4]];
const model = indexModel(
  trainModel({
    catalog,
    date: '2026-11-24',
    interactions: { userIds: Int32Array.from(ratings.map(([u]) => u)), movieIds: Int32Array.from(ratings.map(([, m]) => m)) },
  }),
);
const ids = (query: string, genre?: string, limit = 10) => searchMovies(model, { query, genre, limit }).movies.map((m) => m.movieId);

describe('searchMovies', () => {
  it('finds titles whose words start with every word asked, case and accents aside', () => {
    expect(ids('matrix')).toEqual([2, 1]);
    expect(ids('MAT rel')).toEqual([2]);
    expect(ids('amel')).toEqual([3]);
    expect(ids('AMÉLIE poulain')).toEqual([3]);
    expect(ids('atrix')).toEqual([]);
  });

  it('puts titles that start with the query first, then the most rated', () => {
    // "Mad Max" starts with "ma"; the two Matrix titles too, and the more rated Reloaded comes first of those.
    expect(ids('ma')).toEqual([2, 1, 5]);
    expect(ids('matrix the')).toEqual([1, 2]);
  });

  it('lists the catalog by popularity without a query, within a genre when asked, and counts every match', () => {
    expect(ids('')).toEqual([2, 1, 3, 4, 5]);
    expect(ids('', 'Action')).toEqual([2, 1, 5]);
    expect(searchMovies(model, { query: 'the', limit: 1 })).toMatchObject({ total: 3, movies: [{ movieId: 2 }] });
  });
});
