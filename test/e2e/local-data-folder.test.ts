/**
 * The data folder as a user meets it on the command line: one process at a time, a mistyped path
 * refused, a batch date after today refused unless forced, and the way back from a forced model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { today } from '../../local/commands/batch';
import { generateDemoData } from '../../local/demo-data';
import { LOCK_FILE } from '../../local/data-dir';
import { openLocalSystem } from '../../local/system';
import { freePort, useLocalProcesses, waitForOutput } from '../helpers/local-process';
import { recordingLogger } from '../helpers/local-stores';
import { useTempDir } from '../helpers/temp-dir';

describe('the data folder on the command line (e2e)', () => {
  const tempDir = useTempDir();
  const runLocal = useLocalProcesses();

  async function run(args: string[]): Promise<{ code: number | null; output: string }> {
    const p = runLocal(args);
    const { code } = await p.exited;
    return { code, output: p.output() };
  }

  it('lets one process at a time use a folder, and refuses a folder that holds no database', async () => {
    const dir = tempDir();
    const port = await freePort();
    const server = runLocal(['--data-dir', dir, '--port', String(port), '--no-demo']);
    await waitForOutput(server, /movierec is listening on/, 120_000);
    const holder = readFileSync(join(dir, LOCK_FILE), 'utf8').trim();
    const second = await run(['batch', '--data-dir', dir]);
    expect(second.code).toBe(1);
    expect(second.output).toContain(`error: the data folder ${dir} is in use by process ${holder}: stop it first, or use another --data-dir`);

    const mistyped = join(dir, 'mistyped');
    const missing = await run(['batch', '--data-dir', mistyped]);
    expect(missing.code).toBe(1);
    expect(missing.output).toContain(`error: no movierec database in ${mistyped}: check --data-dir`);
  }, 180_000);

  it('refuses a batch date after today unless forced, and activate serves an earlier model again', async () => {
    const dir = tempDir();
    const data = generateDemoData({ users: 60, movies: 40, seed: 5 });
    const setup = openLocalSystem(dir, recordingLogger(), { create: true });
    await setup.features.upsertMovies(data.movies);
    await setup.pipeline.publish(data.events);
    await setup.close();
    const day = today();

    expect((await run(['batch', '--date', day, '--data-dir', dir])).output).toMatch(new RegExp(`Batch ${day} succeeded: model ${day}-\\w+ published`));
    const refused = await run(['batch', '--date', '2099-12-31', '--data-dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`date 2099-12-31 is after today (${day}, UTC)`);
    expect(refused.output).toContain('--force');

    expect((await run(['batch', '--date', '2099-12-31', '--force', '--data-dir', dir])).output).toMatch(/Batch 2099-12-31 succeeded: model 2099-12-31-\w+ published/);
    expect((await run(['batch', '--date', day, '--data-dir', dir])).output).toContain('written, not published (the active model 2099-12-31-');

    const back = await run(['activate', '--date', day, '--data-dir', dir]);
    expect(back.code).toBe(0);
    expect(back.output).toMatch(new RegExp(`Serving the model of ${day} \\(${day}-\\w+; it was 2099-12-31-\\w+\\)`));
    const unknown = await run(['activate', '--date', '2001-01-01', '--data-dir', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain(`no model was written for 2001-01-01; the dates with a model: ${day}, 2099-12-31`);
  }, 180_000);
});
