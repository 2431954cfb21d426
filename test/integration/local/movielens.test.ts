import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectMovieLens, readMovies, readRatingEvents } from '../../../local/movielens';
import { writeMovieLens } from '../../helpers/movielens-fixture';
import { useTempDir } from '../../helpers/temp-dir';

const MOVIES = [
  { id: 1, title: 'Toy Story (1995)', genres: ['Animation', 'Children', 'Comedy'] },
  { id: 2, title: 'American President, The (1995)', genres: ['Comedy', 'Drama', 'Romance'] },
  { id: 3, title: 'Café Society (2016)', genres: [] },
];
const RATINGS: [number, number, number, number][] = [
  [1, 1, 4, 964982703],
  [1, 3, 3.5, 964981247],
  [2, 2, 5, 1445714835],
];

describe.each(['csv', 'ml-100k'] as const)('MovieLens reader, %s layout', (format) => {
  const tempDir = useTempDir();

  it('reads the catalog with titles and genres', async () => {
    const source = detectMovieLens(writeMovieLens(tempDir(), format, MOVIES, RATINGS));
    expect(source.format).toBe(format);
    expect(await readMovies(source)).toEqual(MOVIES.map((m) => ({ movieId: m.id, title: m.title, genres: m.genres })));
  });

  it('refuses an empty title with its line', async () => {
    const source = detectMovieLens(writeMovieLens(tempDir(), format, [...MOVIES, { id: 4, title: ' ', genres: ['Drama'] }], RATINGS));
    await expect(readMovies(source)).rejects.toThrow(new RegExp(`${source.moviesFile}:\\d+: movie 4 has an empty title$`));
  });

  it('streams ratings as contract events with deterministic ids, in chunks', async () => {
    const source = detectMovieLens(writeMovieLens(tempDir(), format, MOVIES, RATINGS));
    const chunks = [];
    let bytes = 0;
    for await (const chunk of readRatingEvents(source, 2, (b) => (bytes = b))) chunks.push(chunk);
    expect(chunks.map((c) => c.length)).toEqual([2, 1]);
    expect(chunks.flat()[0]).toEqual({
      event_id: 'movielens-1-1-964982703',
      type: 'rating',
      user_id: 1,
      movie_id: 1,
      rating: 4,
      timestamp: 964982703000,
    });
    expect(bytes).toBeGreaterThan(0);
  });
});

describe('detectMovieLens', () => {
  const tempDir = useTempDir();

  it('explains what it expected in a folder without MovieLens files', () => {
    const dir = tempDir();
    expect(() => detectMovieLens(dir)).toThrow('expected ratings.csv + movies.csv, or u.data + u.item');
    expect(() => detectMovieLens(join(dir, 'missing'))).toThrow('is not a directory');
  });

  it('turns a malformed rating line into an event the consumer will quarantine', async () => {
    const dir = tempDir();
    writeMovieLens(dir, 'csv', MOVIES, []);
    writeFileSync(join(dir, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,x,4,964982703\n');
    const chunks = [];
    for await (const chunk of readRatingEvents(detectMovieLens(dir), 10)) chunks.push(...chunk);
    expect(JSON.parse(JSON.stringify(chunks[0]))).toMatchObject({ user_id: 1, movie_id: null });
  });

  it('reads each field of a line as Number reads it, in whatever form it is written', async () => {
    const lines = ['1,2,3.5,964982703', '007,2,4.25,10', '1,2,3,4,5', '1,2,.5,10', '1,2,5.,10', ' 1,2,3,10', '1,2,3', '1,2,1e1,10',
      '123456789012345,2,3,10', '1234567890123456,2,3,10', '1,2,1.000000000000001,10', '1,2,0.1,10', '-1,2,3,10', '1,2,3,10\r'];
    const dir = tempDir();
    writeMovieLens(dir, 'csv', MOVIES, []);
    writeFileSync(join(dir, 'ratings.csv'), `userId,movieId,rating,timestamp\n${lines.join('\n')}`);
    const events = [];
    for await (const chunk of readRatingEvents(detectMovieLens(dir), 4)) events.push(...chunk);
    expect(events).toEqual(
      lines.map((line) => {
        const [user, movie, rating, seconds] = line.split(',', 4).map(Number);
        return { event_id: `movielens-${user}-${movie}-${seconds}`, type: 'rating', user_id: user, movie_id: movie, rating, timestamp: seconds! * 1000 };
      }),
    );
    expect(events[2]).toMatchObject({ user_id: 1, movie_id: 2, rating: 3, timestamp: 4000 });
  });
});

describe('MovieLens reader, an empty genre', () => {
  const tempDir = useTempDir();

  it('refuses "Drama|" with its line, which would fail every batch after', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'movies.csv'), 'movieId,title,genres\n1,One (1990),Comedy\n2,Two (1991),Drama|\n');
    writeFileSync(join(dir, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,1,4,964982703\n');
    await expect(readMovies(detectMovieLens(dir))).rejects.toThrow(`${join(dir, 'movies.csv')}:3: movie 2 has an empty genre in "Drama|"`);
  });
});
