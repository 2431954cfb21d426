import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, PROJECT_ROOT, useLocalProcesses, waitForOutput } from '../helpers/local-process';
import { DEMO_META_KEY } from '../../local/commands/load-demo';
import { openDatabase, setMeta } from '../../local/sqlite/database';
import { DATABASE_FILE } from '../../local/system';
import { writeMovieLens } from '../helpers/movielens-fixture';
import { useTempDir } from '../helpers/temp-dir';

const MOVIES = [
  { id: 1, title: 'Toy Story (1995)', genres: ['Animation', 'Children', 'Comedy'] },
  { id: 2, title: 'Jumanji (1995)', genres: ['Adventure', 'Children', 'Fantasy'] },
  { id: 3, title: 'Heat (1995)', genres: ['Action', 'Crime', 'Thriller'] },
  { id: 4, title: 'Seven (a.k.a. Se7en) (1995)', genres: ['Mystery', 'Thriller'] },
];
/** Family viewers watch 1 and 2, thriller viewers 3 and 4; one line is malformed. */
const RATINGS: [number, number, number, number][] = [
  [1, 1, 5, 964982703], [1, 2, 4, 964982704],
  [2, 1, 4, 964982705], [2, 2, 5, 964982706],
  [3, 3, 5, 964982707], [3, 4, 4.5, 964982708],
  [4, 3, 4, 964982709], [4, 4, 5, 964982710],
  [5, 1, 7, 964982711],
];

const SHARED_ML_SMALL = join(PROJECT_ROOT, '..', 'shared', 'data', 'movielens', 'ml-latest-small');

describe('npm run local -- import --movielens (e2e)', () => {
  const tempDir = useTempDir();
  const runLocal = useLocalProcesses();

  it.each(['csv', 'ml-100k'] as const)('imports the %s layout as the consumer would and serves from it', async (format) => {
    const source = writeMovieLens(tempDir(), format, MOVIES, RATINGS);
    const dataDir = tempDir();
    const imported = runLocal(['import', '--movielens', source, '--data-dir', dataDir]);
    expect((await imported.exited).code).toBe(0);
    const out = imported.output();
    expect(out).toContain(`Catalog: 4 movies from ${join(source, format === 'csv' ? 'movies.csv' : 'u.item')} (${format} format).`);
    expect(out).toContain('Ratings: 9 events received, 8 applied, 0 duplicate, 0 superseded, 1 quarantined.');
    expect(out).toMatch(/Throughput: \d+ events\/s/);
    expect(out).toMatch(/Reading ratings: 100%/);
    expect(out).toMatch(/Applying ratings: 100% \(8\/8 events\)/);

    // A second import of the same files changes nothing.
    const again = runLocal(['import', '--movielens', source, '--data-dir', dataDir]);
    expect((await again.exited).code).toBe(0);
    expect(again.output()).toContain('Ratings: 9 events received, 0 applied, 8 duplicate, 0 superseded, 1 quarantined.');

    // The server then uses the imported catalog (no demo: the database is not empty).
    const port = await freePort();
    const server = runLocal(['--data-dir', dataDir, '--port', String(port)]);
    const [, base] = await waitForOutput(server, /listening on (http:\/\/\S+)/);
    expect(server.output()).not.toContain('Demo');
    const similar = (await (await fetch(`${base}/movies/3/similar`)).json()) as { title: string; items: { title: string }[] };
    expect(similar.title).toBe('Heat (1995)');
    expect(similar.items[0]!.title).toBe('Seven (a.k.a. Se7en) (1995)');
  });

  it('explains a folder without MovieLens data and a data folder holding the demo', async () => {
    const empty = runLocal(['import', '--movielens', tempDir(), '--data-dir', tempDir()]);
    expect((await empty.exited).code).toBe(1);
    expect(empty.output()).toContain('holds no MovieLens data: expected ratings.csv + movies.csv, or u.data + u.item');

    const missing = runLocal(['import', '--data-dir', tempDir()]);
    expect((await missing.exited).code).toBe(2);
    expect(missing.output()).toContain('error: import needs --movielens DIR');

    const demoDir = tempDir();
    const db = openDatabase(join(demoDir, DATABASE_FILE));
    setMeta(db, DEMO_META_KEY, 'loaded');
    db.close();
    const mixed = runLocal(['import', '--movielens', writeMovieLens(tempDir(), 'csv', MOVIES, RATINGS), '--data-dir', demoDir]);
    expect((await mixed.exited).code).toBe(1);
    expect(mixed.output()).toContain('this data folder holds the demo data');
  });

  it.skipIf(!existsSync(SHARED_ML_SMALL))('imports ml-latest-small completely', async () => {
    const imported = runLocal(['import', '--movielens', SHARED_ML_SMALL, '--data-dir', tempDir()]);
    expect((await imported.exited).code).toBe(0);
    expect(imported.output()).toContain('Catalog: 9742 movies');
    expect(imported.output()).toContain('Ratings: 100836 events received, 100836 applied, 0 duplicate, 0 superseded, 0 quarantined.');
  }, 120_000);
});

if (!existsSync(SHARED_ML_SMALL)) {
  console.warn(`skipping the ml-latest-small import: ${SHARED_ML_SMALL} is absent`);
}
