/**
 * Title search over the serving model's catalog: every word of the query must start a word of the
 * title, case and accents aside ("amel" finds "Amélie (2001)"). Titles that start with the query
 * come first, then the most rated, then the lower id.
 */
import type { ModelIndex, ModelMovie } from './model';

export interface SearchOptions {
  query?: string;
  genre?: string;
  limit: number;
}

export interface SearchResult {
  /** How many movies matched in all. */
  total: number;
  movies: ModelMovie[];
}

/** Each movie's title words, normalised once per model. */
const titleWords = new WeakMap<ModelIndex, Map<number, string[]>>();

export function searchMovies(model: ModelIndex, options: SearchOptions): SearchResult {
  const query = words(options.query ?? '');
  const joined = query.join(' ');
  let index = titleWords.get(model);
  if (!index) {
    index = new Map([...model.movies.values()].map((m) => [m.movieId, words(m.title)]));
    titleWords.set(model, index);
  }
  const found: { movie: ModelMovie; starts: boolean }[] = [];
  for (const movie of model.movies.values()) {
    if (options.genre !== undefined && !movie.genres.includes(options.genre)) continue;
    const title = index.get(movie.movieId)!;
    if (!query.every((q) => title.some((w) => w.startsWith(q)))) continue;
    found.push({ movie, starts: joined !== '' && title.join(' ').startsWith(joined) });
  }
  found.sort(
    (a, b) => Number(b.starts) - Number(a.starts) || b.movie.ratingCount - a.movie.ratingCount || a.movie.movieId - b.movie.movieId,
  );
  return { total: found.length, movies: found.slice(0, options.limit).map((f) => f.movie) };
}

/** Lower case, accents dropped, split on anything not a letter or digit. */
function words(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}
