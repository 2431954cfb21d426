import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirError, LOCK_FILE, openDataDir } from '../../../local/data-dir';
import { openLocalSystem } from '../../../local/system';
import { recordingLogger } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

describe('the data folder', () => {
  const tempDir = useTempDir();
  const children: ReturnType<typeof spawn>[] = [];
  afterEach(() => children.splice(0).forEach((c) => c.kill('SIGKILL')));

  it('is made only when asked, and a missing one is an error naming the path', () => {
    const path = join(tempDir(), 'a', 'b');
    expect(() => openDataDir(path, false)).toThrow(new DataDirError(
      `no movierec database in ${path}: check --data-dir, or start one there with \`npm run local -- --data-dir ${path}\` or \`import\``,
    ));
    expect(existsSync(path)).toBe(false);
    const dir = openDataDir(path, true);
    expect(dir.created).toBe(true);
    expect(readFileSync(join(path, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    dir.release();
    expect(existsSync(join(path, LOCK_FILE))).toBe(false);
  });

  it('ends with a message where a folder cannot be made, and at once (a /proc path made Node loop)', () => {
    expect(() => openDataDir('/proc/self/movierec', true)).toThrow(/^cannot create the data folder \/proc\/self\/movierec: ENOENT/);
    expect(() => openDataDir('/dev/null/movierec', true)).toThrow(/^cannot create the data folder \/dev\/null\/movierec: ENOTDIR/);
  });

  it('has one process at a time: a second is refused with the holder pid', () => {
    const dir = tempDir();
    const holder = spawn('sleep', ['30']);
    children.push(holder);
    writeFileSync(join(dir, LOCK_FILE), `${holder.pid}\n`);
    expect(() => openDataDir(dir, true)).toThrow(
      `the data folder ${dir} is in use by process ${holder.pid}: stop it first, or use another --data-dir`,
    );
    // The same process twice is refused too.
    const other = tempDir();
    const first = openDataDir(other, true);
    expect(() => openDataDir(other, true)).toThrow(`in use by process ${process.pid}`);
    first.release();
  });

  it('takes over the lock of a process that is gone, as after kill -9', () => {
    const dir = tempDir();
    const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(dir, LOCK_FILE), `${gone}\n`);
    const opened = openDataDir(dir, true);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    opened.release();
  });

  it('refuses a damaged database at start, and opens it with the check off', async () => {
    const dir = tempDir();
    const system = openLocalSystem(dir, recordingLogger(), { create: true });
    await system.features.upsertMovies(Array.from({ length: 3000 }, (_, i) => ({ movieId: i + 1, title: `Movie ${i + 1}`, genres: ['Drama'] })));
    // Closing the last connection checkpoints the WAL into the file.
    await system.close();
    const file = join(dir, 'movierec.db');
    const bytes = readFileSync(file);
    // A page in the middle: the header stays valid, as after a torn disk write.
    bytes.fill(0x5a, 16 * 4096, 17 * 4096);
    writeFileSync(file, bytes);
    expect(() => openLocalSystem(dir, recordingLogger())).toThrow(/^the database .*movierec\.db is damaged \(.+\): restore it from a backup/);
    // Refused, it held no lock: the check can be skipped, at the user's word.
    const unchecked = openLocalSystem(dir, recordingLogger(), { check: false });
    await unchecked.close();
  });
});
