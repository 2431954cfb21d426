/**
 * The query commands as a user runs them beside a running server: the same data folder, the same
 * answers as the HTTP API, and clear errors.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, startLocalServer } from '../helpers/local-process';

const run = async (...args: string[]): Promise<{ code: number; out: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', 'local', '--', ...args], { cwd: PROJECT_ROOT });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
};

describe('npm run local -- recommend | similar | movies | status (e2e)', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startLocalServer>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'movierec-queries-'));
    server = await startLocalServer(dir);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const http = async (path: string) => (await fetch(`${server.base}${path}`)).json() as Promise<unknown>;

  it('answers as the HTTP API does, while the server holds the folder', async () => {
    for (const [args, path] of [
      [['recommend', '--user', '1', '--explain', '--limit', '5'], '/users/1/recommendations?limit=5&explain=true'],
      [['similar', '--movie', '1'], '/movies/1/similar'],
      [['movies', '--search', 'the', '--genre', 'Horror', '--limit', '3'], '/movies?q=the&genre=Horror&limit=3'],
    ] as const) {
      const cli = await run(...args, '--json', '--data-dir', dir);
      expect(cli.code, cli.out).toBe(0);
      expect(JSON.parse(cli.out)).toEqual(await http(path));
    }
  }, 60_000);

  it('prints a recommendation list with reasons and score parts', async () => {
    const { code, out } = await run('recommend', '--user', '1', '--explain', '--limit', '3', '--data-dir', dir);
    expect(code).toBe(0);
    const { items } = (await http('/users/1/recommendations?limit=3')) as { items: { title: string; reason: string }[] };
    expect(out).toContain('Recommendations for user 1:');
    for (const item of items) expect(out).toContain(item.title);
    expect(out).toContain(items[0]!.reason);
    expect(out).toMatch(/collaborative \d\.\d{4} \+ genre \d\.\d{4} \+ popularity \d\.\d{4}/);
  }, 30_000);

  it('shows the status the server sees', async () => {
    const { code, out } = await run('status', '--data-dir', dir);
    expect(code).toBe(0);
    const status = (await http('/status')) as { modelVersion: string; catalog: { movies: number } };
    expect(out).toContain(`Model serving: ${status.modelVersion}`);
    expect(out).toContain(`Catalog: ${status.catalog.movies} movies`);
    expect(out).toMatch(/Latest batch runs:\n {2}\d{4}-\d{2}-\d{2} {2}succeeded/);
    expect(out).toMatch(/Quarantine by reason:\n {8}1 {2}\S/);
  }, 30_000);

  it('says what is wrong with a query, and with a folder that holds no database', async () => {
    const genre = await run('recommend', '--user', '1', '--genre', 'Nope', '--data-dir', dir);
    expect(genre.code).toBe(1);
    expect(genre.out).toMatch(/^error: unknown genre "Nope" \(genres: Action, /);
    const user = await run('recommend', '--data-dir', dir);
    expect(user.code).toBe(2);
    expect(user.out).toContain('error: recommend needs --user N');
    const missing = join(dir, 'nothing-here');
    const none = await run('status', '--data-dir', missing);
    expect(none.code).toBe(1);
    expect(none.out).toContain(`error: no movierec database in ${missing}`);
  }, 30_000);
});
