import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDemoData } from '../../local/demo-data';
import { PROJECT_ROOT, useLocalProcesses } from '../helpers/local-process';
import { writeMovieLens } from '../helpers/movielens-fixture';
import { useTempDir } from '../helpers/temp-dir';

const SHARED_ML_SMALL = join(PROJECT_ROOT, '..', 'shared', 'data', 'movielens', 'ml-latest-small');
const METRICS = ['precision@10', 'recall@10', 'ndcg@10', 'map@10', 'coverage'];

interface Report {
  dataset: string;
  protocol: { seed: number; k: number; users: number };
  results: Record<'model' | 'popularity' | 'hybrid', Record<string, number>>;
  train_seconds: number;
  peak_rss_mb: number;
}

describe('npm run evaluate (e2e)', () => {
  const tempDir = useTempDir();
  const run = useLocalProcesses();

  async function evaluate(args: string[]): Promise<Report> {
    const p = run(['evaluate', ...args, '--json']);
    expect((await p.exited).code).toBe(0);
    return JSON.parse(p.output()) as Report;
  }

  it('prints one JSON object with every metric, and the same numbers for the same seed', async () => {
    const demo = generateDemoData({ users: 60, movies: 40, seed: 3 });
    const ratings = demo.events
      .filter((e) => typeof e.rating === 'number' && typeof e.timestamp === 'string' && (e.user_id as number) > 0)
      .map((e): [number, number, number, number] => [
        e.user_id as number,
        e.movie_id as number,
        e.rating as number,
        Math.floor(Date.parse(e.timestamp as string) / 1000),
      ]);
    const dir = writeMovieLens(
      tempDir(),
      'csv',
      demo.movies.map((m) => ({ id: m.movieId, title: m.title, genres: m.genres })),
      ratings,
    );
    const first = await evaluate(['--movielens', dir]);
    expect(first.protocol).toMatchObject({ seed: 42, k: 10, users: 60 });
    for (const ranker of ['model', 'popularity', 'hybrid'] as const) {
      expect(Object.keys(first.results[ranker])).toEqual(METRICS);
      for (const value of Object.values(first.results[ranker])) expect(value).toBeGreaterThanOrEqual(0);
    }
    expect(first.train_seconds).toBeGreaterThan(0);
    expect(first.peak_rss_mb).toBeGreaterThan(0);

    const again = await evaluate(['--movielens', dir, '--seed', '42']);
    expect(again.results).toEqual(first.results);
    const other = await evaluate(['--movielens', dir, '--seed', '7']);
    expect(other.results).not.toEqual(first.results);
  });

  it('evaluates a generated dataset of the size asked for', async () => {
    const report = await evaluate(['--synthetic', '20000']);
    expect(report.dataset).toMatch(/^synthetic \(\d+ ratings, 400 users, 424 movies\)$/);
    expect(report.results.model['ndcg@10']).toBeGreaterThan(report.results.popularity['ndcg@10']!);
  });

  it.skipIf(!existsSync(SHARED_ML_SMALL))(
    'reaches nDCG@10 of at least 0.40 on ml-latest-small, seed 42, for the model and for the served blend, well above popularity',
    async () => {
      const report = await evaluate(['--movielens', SHARED_ML_SMALL]);
      expect(report.protocol).toMatchObject({ seed: 42 });
      expect(report.results.model['ndcg@10']).toBeGreaterThanOrEqual(0.4);
      expect(report.results.hybrid['ndcg@10']).toBeGreaterThanOrEqual(0.4);
      expect(report.results.popularity['ndcg@10']).toBeLessThan(0.25);
    },
    120_000,
  );
});

if (!existsSync(SHARED_ML_SMALL)) {
  console.warn(`skipping the ml-latest-small evaluation: ${SHARED_ML_SMALL} is absent`);
}
