import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FixtureMovie {
  id: number;
  title: string;
  genres: string[];
}

/** Writes a small MovieLens directory in the given layout. Ratings: [user, movie, rating, epoch seconds]. */
export function writeMovieLens(
  dir: string,
  format: 'csv' | 'ml-100k',
  movies: FixtureMovie[],
  ratings: [number, number, number, number][],
): string {
  if (format === 'csv') {
    const quote = (s: string) => (s.includes(',') ? `"${s.replace(/"/g, '""')}"` : s);
    writeFileSync(
      join(dir, 'movies.csv'),
      ['movieId,title,genres', ...movies.map((m) => `${m.id},${quote(m.title)},${m.genres.join('|') || '(no genres listed)'}`)].join('\n') + '\n',
    );
    writeFileSync(join(dir, 'ratings.csv'), ['userId,movieId,rating,timestamp', ...ratings.map((r) => r.join(','))].join('\n') + '\n');
  } else {
    const flags = ['unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
      'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western'];
    const item = (m: FixtureMovie) =>
      [m.id, m.title, '01-Jan-1995', '', 'http://example.org', ...flags.map((f) => (m.genres.includes(f.replace("'s", '')) ? 1 : 0))].join('|');
    writeFileSync(join(dir, 'u.item'), Buffer.from(movies.map(item).join('\n') + '\n', 'latin1'));
    writeFileSync(join(dir, 'u.data'), ratings.map((r) => r.join('\t')).join('\n') + '\n');
  }
  return dir;
}
