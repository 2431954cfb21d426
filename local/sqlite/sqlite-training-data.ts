/** Reads the current ratings and the catalog from SQLite, as the model trainer takes them. */
import type { Interactions } from '../../lambdas/core/item-neighbours';
import type { Movie } from '../../lambdas/core/movie';
import type { Db } from './database';

export function readInteractions(db: Db): Interactions {
  const count = (db.prepare('SELECT COUNT(*) AS n FROM ratings').get() as { n: number }).n;
  const userIds = new Int32Array(count);
  const movieIds = new Int32Array(count);
  let i = 0;
  for (const row of db.prepare('SELECT user_id, movie_id FROM ratings').raw().iterate() as IterableIterator<[number, number]>) {
    userIds[i] = row[0];
    movieIds[i] = row[1];
    i++;
  }
  return { userIds, movieIds };
}

export function readCatalog(db: Db): Movie[] {
  return (db.prepare('SELECT movie_id, title, genres FROM movies ORDER BY movie_id').all() as {
    movie_id: number;
    title: string;
    genres: string;
  }[]).map((r) => ({ movieId: r.movie_id, title: r.title, genres: JSON.parse(r.genres) as string[] }));
}
