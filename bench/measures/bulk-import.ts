/**
 * Bulk import throughput: the bench's workload, or a MovieLens-layout copy of it, imported into a
 * fresh data folder by a process started with `npm run local`'s Node.js options (import-child.ts).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Workload } from '../workload';
import { localNodeOptions } from './local-node';

export interface ImportRun {
  seconds: number;
  events: number;
  peak_rss_mb: number;
}

const ROOT = join(import.meta.dirname, '..', '..');

export function importInChild(dataDir: string, source: ['workload', string] | ['movielens', string]): ImportRun {
  const child = spawnSync(process.execPath, [...localNodeOptions(), join(ROOT, 'bench', 'import-child.ts'), dataDir, ...source], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`the import failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as ImportRun;
}

/**
 * Writes the workload as MovieLens writes its ratings: movies.csv, and ratings.csv with one line per
 * rating (userId,movieId,rating,timestamp in seconds), in the workload's order.
 */
export async function writeMovieLensFiles(w: Workload, dir: string): Promise<void> {
  const movies = createWriteStream(join(dir, 'movies.csv'));
  movies.write('movieId,title,genres\n');
  for (const m of w.movies) movies.write(`${m.movieId},${m.title},${m.genres.join('|')}\n`);
  movies.end();
  await once(movies, 'close');
  const ratings = createWriteStream(join(dir, 'ratings.csv'));
  ratings.write('userId,movieId,rating,timestamp\n');
  const LINES = 100_000;
  for (let start = 0; start < w.count; start += LINES) {
    let text = '';
    for (let i = start; i < Math.min(w.count, start + LINES); i++) {
      text += `${w.userIds[i]},${w.movieIds[i]},${w.halfStars[i]! / 2},${Math.floor(w.times[i]! / 1000)}\n`;
    }
    if (!ratings.write(text)) await once(ratings, 'drain');
  }
  ratings.end();
  await once(ratings, 'close');
}
