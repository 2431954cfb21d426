/**
 * Reads a MovieLens directory in either of its two layouts:
 * - ratings.csv + movies.csv (ml-latest, ml-latest-small, ml-20m, ml-25m, ...), timestamps in seconds;
 * - u.data + u.item (ml-100k): tab-separated ratings, pipe-separated Latin-1 items with genre flags.
 * Ratings come out as rating events of the movierec contract, with a deterministic event id, so that
 * importing the same directory twice changes nothing.
 */
import { parse } from 'csv-parse';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Movie } from '../lambdas/core/movie';

export type MovieLensFormat = 'csv' | 'ml-100k';

export interface MovieLensSource {
  dir: string;
  format: MovieLensFormat;
  moviesFile: string;
  ratingsFile: string;
}

export interface RatingEventObject {
  event_id: string;
  type: 'rating';
  user_id: number;
  movie_id: number;
  rating: number;
  timestamp: number;
}

/** ml-100k's genre flag columns, in order, named as the newer datasets name them. */
const ML100K_GENRES = [
  null, 'Action', 'Adventure', 'Animation', 'Children', 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
] as const;

export function detectMovieLens(dir: string): MovieLensSource {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  const has = (f: string) => existsSync(join(dir, f));
  if (has('ratings.csv') && has('movies.csv')) {
    return { dir, format: 'csv', moviesFile: join(dir, 'movies.csv'), ratingsFile: join(dir, 'ratings.csv') };
  }
  if (has('u.data') && has('u.item')) {
    return { dir, format: 'ml-100k', moviesFile: join(dir, 'u.item'), ratingsFile: join(dir, 'u.data') };
  }
  throw new Error(`${dir} holds no MovieLens data: expected ratings.csv + movies.csv, or u.data + u.item`);
}

export async function readMovies(source: MovieLensSource): Promise<Movie[]> {
  if (source.format === 'ml-100k') {
    const text = await readFile(source.moviesFile, 'latin1');
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => {
        const cols = line.split('|');
        const flags = cols.slice(-19);
        if (cols.length < 24) throw new Error(`${source.moviesFile}:${i + 1}: expected 24 columns, found ${cols.length}`);
        return checkedMovie(
          {
            movieId: parseIntField(cols[0], source.moviesFile, i + 1),
            title: cols[1]!,
            genres: ML100K_GENRES.filter((g, k): g is Exclude<typeof g, null> => g !== null && flags[k] === '1'),
          },
          source.moviesFile,
          i + 1,
        );
      });
  }
  const movies: Movie[] = [];
  const parser = createReadStream(source.moviesFile).pipe(parse({ columns: true, bom: true }));
  let line = 1;
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    line++;
    const genres = row.genres ?? '';
    const movie = {
      movieId: parseIntField(row.movieId, source.moviesFile, line),
      title: row.title ?? '',
      genres: genres === '(no genres listed)' || genres === '' ? [] : genres.split('|'),
    };
    movies.push(checkedMovie(movie, source.moviesFile, line));
  }
  return movies;
}

/**
 * An empty title would be served as "similar to "; an empty genre ("Drama|") would become the
 * overall ranking's key in gold popularity and fail every batch after. Both are refused with the line.
 */
function checkedMovie(movie: Movie, file: string, line: number): Movie {
  if (movie.title.trim() === '') throw new Error(`${file}:${line}: movie ${movie.movieId} has an empty title`);
  if (movie.genres.some((g) => g.trim() === '')) {
    throw new Error(`${file}:${line}: movie ${movie.movieId} has an empty genre in ${JSON.stringify(movie.genres.join('|'))}`);
  }
  return movie;
}

/**
 * Streams the ratings as event objects in chunks of `chunkSize`, calling `onBytes` with the bytes
 * read so far (for progress). Lines are cut from large blocks of the file, not read one by one:
 * at 25M lines the reading is a good part of an import.
 */
export async function* readRatingEvents(
  source: MovieLensSource,
  chunkSize: number,
  onBytes: (bytesRead: number) => void = () => undefined,
): AsyncGenerator<RatingEventObject[]> {
  const stream = createReadStream(source.ratingsFile, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const separator = source.format === 'csv' ? ',' : '\t';
  let chunk: RatingEventObject[] = [];
  let lineNo = 0;
  let rest = '';
  // A line from `start` to `end` of `text`, its line break excluded.
  const take = (text: string, start: number, end: number): void => {
    lineNo++;
    if (end > start && text.charCodeAt(end - 1) === CR) end--;
    if (end === start || (lineNo === 1 && source.format === 'csv')) return;
    chunk.push(ratingEvent(text, start, end, separator));
  };
  for await (const block of stream as AsyncIterable<string>) {
    const text = rest + block;
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) take(text, start, end);
    rest = text.slice(start);
    if (chunk.length >= chunkSize) {
      onBytes(stream.bytesRead);
      for (let i = 0; i + chunkSize <= chunk.length; i += chunkSize) yield chunk.slice(i, i + chunkSize);
      chunk = chunk.slice(chunk.length - (chunk.length % chunkSize));
    }
  }
  if (rest !== '') take(rest, 0, rest.length);
  onBytes(stream.bytesRead);
  for (let i = 0; i < chunk.length; i += chunkSize) yield chunk.slice(i, i + chunkSize);
}

const CR = 13;

/**
 * One line's rating. A line of four plain numbers (digits, with a fraction in the rating) is read
 * where it lies, with no strings cut from it; any other goes through `Number` field by field, and
 * a malformed line is not an error here: it becomes an event that the consumer quarantines.
 */
function ratingEvent(text: string, start: number, end: number, separator: string): RatingEventObject {
  const fields: ArrayLike<number> = readPlainFields(text, start, end, separator.charCodeAt(0))
    ? PLAIN_FIELDS
    : text.slice(start, end).split(separator, 4).map(Number);
  const userId = fields[0];
  const movieId = fields[1];
  const rating = fields[2];
  const seconds = fields[3];
  return {
    event_id: `movielens-${userId}-${movieId}-${seconds}`,
    type: 'rating',
    user_id: userId!,
    movie_id: movieId!,
    rating: rating!,
    timestamp: seconds! * 1000,
  };
}

const PLAIN_FIELDS = new Float64Array(4);
/** Digits a plain field may have: below 2^53, so that the field and its scale are exact. */
const MAX_PLAIN_DIGITS = 15;

/**
 * Reads exactly four separated fields of digits, each with an optional fraction ("3.5"), into
 * PLAIN_FIELDS; false for anything else. A value is an exact integer over an exact power of ten,
 * and the division rounds it as `Number` rounds the decimal: the two give the same number.
 */
function readPlainFields(text: string, start: number, end: number, separator: number): boolean {
  let field = 0;
  let value = 0;
  let digits = 0;
  let scale = 0; // 0 before a point; then 10 to the digits after it
  for (let i = start; i <= end; i++) {
    const c = i === end ? separator : text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > MAX_PLAIN_DIGITS) return false;
      value = value * 10 + (c - 48);
      if (scale > 0) scale *= 10;
    } else if (c === 46 && scale === 0 && digits > 0) scale = 1;
    else if (c === separator && digits > 0 && scale !== 1 && field < 4) {
      PLAIN_FIELDS[field++] = scale > 0 ? value / scale : value;
      value = 0;
      digits = 0;
      scale = 0;
    } else return false;
  }
  return field === 4;
}

function parseIntField(value: string | undefined, file: string, line: number): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n)) {
    throw new Error(`${file}:${line}: expected an integer, found ${JSON.stringify(value)}`);
  }
  return n;
}
