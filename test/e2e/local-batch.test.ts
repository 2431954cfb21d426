import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDemoData } from '../../local/demo-data';
import { freePort, PROJECT_ROOT, useLocalProcesses, waitForOutput } from '../helpers/local-process';
import { writeMovieLens } from '../helpers/movielens-fixture';
import { useTempDir } from '../helpers/temp-dir';

const SHARED_ML_SMALL = join(PROJECT_ROOT, '..', 'shared', 'data', 'movielens', 'ml-latest-small');
const STATE_LINE = (state: string) => new RegExp(`^  ${state} +\\d+\\.\\d{2} s$`, 'm');

interface Recommendations {
  modelVersion: string;
  items: { movieId: number; title: string; reason: string }[];
}

describe('npm run local -- batch (e2e)', () => {
  const tempDir = useTempDir();
  const runLocal = useLocalProcesses();

  it('runs the workflow, printing each state with its duration, and exits 1 on a failure', async () => {
    const dataDir = tempDir();
    const source = writeMovieLens(tempDir(), 'csv', [
      { id: 1, title: 'One (2001)', genres: ['Drama'] },
      { id: 2, title: 'Two (2002)', genres: ['Drama'] },
    ], [
      [1, 1, 4, 964982703],
      [1, 2, 5, 964982704],
      [2, 1, 3, 964982705],
    ]);
    expect((await runLocal(['import', '--movielens', source, '--data-dir', dataDir]).exited).code).toBe(0);

    const today = new Date().toISOString().slice(0, 10);
    const ok = runLocal(['batch', '--date', today, '--data-dir', dataDir]);
    expect((await ok.exited).code).toBe(0);
    for (const state of ['ResolveDate', 'BronzeToSilver', 'SilverFeatures', 'GoldModel', 'Publish']) {
      expect(ok.output()).toMatch(STATE_LINE(state));
    }
    expect(ok.output()).toMatch(new RegExp(`Batch ${today} succeeded: model ${today}-[0-9a-f]{12} published`));
    expect(ok.output()).toContain(`Silver: 3 ratings, from all of bronze since ${today}.`);

    const bad = runLocal(['batch', '--date', '2026-02-30', '--data-dir', dataDir]);
    expect((await bad.exited).code).toBe(1);
    expect(bad.output()).toContain(
      'Batch failed in ResolveDate: InvalidBatchInput: date "2026-02-30" is not a valid YYYY-MM-DD date',
    );
  });

  it('holds back a model the quality gate refuses, says why, and reads its settings from the environment', async () => {
    const dataDir = tempDir();
    const demo = generateDemoData({ users: 60, movies: 40, seed: 5 });
    const ratings = demo.events
      .filter((e) => typeof e.rating === 'number' && typeof e.timestamp === 'string' && (e.user_id as number) > 0)
      .map((e): [number, number, number, number] => [e.user_id as number, e.movie_id as number, e.rating as number, Math.floor(Date.parse(e.timestamp as string) / 1000)]);
    const source = writeMovieLens(tempDir(), 'csv', demo.movies.map((m) => ({ id: m.movieId, title: m.title, genres: m.genres })), ratings);
    expect((await runLocal(['import', '--movielens', source, '--data-dir', dataDir]).exited).code).toBe(0);

    // The serving model as if it had measured far better than any other can.
    const db = new Database(join(dataDir, 'movierec.db'));
    db.prepare("UPDATE gold_manifest SET manifest = json_set(manifest, '$.evaluation.hybrid.ndcg', 0.99)").run();
    db.close();
    const today = new Date().toISOString().slice(0, 10);
    const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    // Trained whatever the weekday: a day between trainings would take the serving model's weights and measure.
    const held = runLocal(['batch', '--date', day, '--force', '--train', '--data-dir', dataDir]);
    expect((await held.exited).code).toBe(0);
    expect(held.output()).toContain(`Daily batch for ${day}, the model trained:`);
    expect(held.output()).toMatch(/^Model trained on \d+ ratings; the next training is on \d{4}-\d{2}-\d{2}\.$/m);
    expect(held.output()).toMatch(/^Model measured on the latest 10% of the events by time \(\d+ users\): nDCG@10 0\.\d{4} served/m);
    expect(held.output()).toMatch(new RegExp(`^Silver: \\d+ ratings, the bronze since ${today} merged onto that date's silver\\.$`, 'm'));
    expect(held.output()).toMatch(new RegExp(`Batch ${day} succeeded: model ${day}-[0-9a-f]{12} written, not published \\(quality gate: nDCG@10 0\\.\\d{4} against 0\\.9900 for the serving model ${today}-`));
    const status = runLocal(['status', '--data-dir', dataDir]);
    expect((await status.exited).code).toBe(0);
    expect(status.output()).toMatch(/not published: quality gate: nDCG@10/);

    // A drop of 100% lets every model through.
    const open = runLocal(['batch', '--date', day, '--force', '--full', '--data-dir', dataDir], { MODEL_GATE_MAX_DROP: '100%', MODEL_HOLDOUT: '30d', MODEL_TRAIN_EVERY_DAYS: '1' });
    expect((await open.exited).code).toBe(0);
    expect(open.output()).toContain(`Daily batch for ${day}, silver rebuilt from all of bronze:`);
    expect(open.output()).toMatch(new RegExp(`^Silver: \\d+ ratings, from all of bronze since ${today}\\.$`, 'm'));
    expect(open.output()).toMatch(/Model measured on the events of the last 30 days by time/);
    expect(open.output()).toMatch(new RegExp(`Batch ${day} succeeded: model ${day}-[0-9a-f]{12} published`));
    const bad = runLocal(['batch', '--data-dir', dataDir], { MODEL_GATE_MAX_DROP: '0.1' });
    expect((await bad.exited).code).toBe(2);
    expect(bad.output()).toContain("error: the quality gate's allowed drop is a share from 0% to 100%, like 10%; got \"0.1\"");
    const weekly = runLocal(['batch', '--data-dir', dataDir], { MODEL_TRAIN_EVERY_DAYS: 'weekly' });
    expect((await weekly.exited).code).toBe(2);
    expect(weekly.output()).toContain('error: the model is trained every 1 to 28 days; got "weekly"');
  });

  it.skipIf(!existsSync(SHARED_ML_SMALL))(
    'turns ml-latest-small into neighbour-based recommendations with reasons',
    async () => {
      const dataDir = tempDir();
      const imported = runLocal(['import', '--movielens', SHARED_ML_SMALL, '--data-dir', dataDir]);
      expect((await imported.exited).code).toBe(0);
      expect(imported.output()).toMatch(STATE_LINE('GoldModel'));
      expect(imported.output()).toMatch(/Batch \d{4}-\d{2}-\d{2} succeeded: model \S+ published/);

      const server = runLocal(['--data-dir', dataDir, '--port', String(await freePort())]);
      const [, base] = await waitForOutput(server, /listening on (http:\/\/\S+)/);
      const recs = (await (await fetch(`${base}/users/1/recommendations?limit=10`)).json()) as Recommendations;
      expect(recs.items).toHaveLength(10);
      expect(recs.items.filter((i) => i.reason.startsWith('similar to ')).length).toBeGreaterThan(5);
      const similar = (await (await fetch(`${base}/movies/1/similar?limit=10`)).json()) as Recommendations & { title: string };
      expect(similar.title).toBe('Toy Story (1995)');
      expect(similar.items.map((i) => i.title)).toContain('Toy Story 2 (1999)');
    },
    180_000,
  );
});

if (!existsSync(SHARED_ML_SMALL)) {
  console.warn(`skipping the ml-latest-small batch test: ${SHARED_ML_SMALL} is absent`);
}
