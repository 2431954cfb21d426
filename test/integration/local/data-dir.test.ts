import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirError, LOCK_FILE, openDataDir } from '../../../local/data-dir';
import { openLocalSystem, type LocalSystem } from '../../../local/system';
import { CHECKED_AT, checkAtStart } from '../../../local/startup-check';
import { openDatabase } from '../../../local/sqlite/database';
import { recordingLogger } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

/** A lock left in `dir` by a process that is gone, as after kill -9. */
function leaveDeadLock(dir: string): void {
  const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
  writeFileSync(join(dir, LOCK_FILE), `${gone}\n`);
}

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
    expect(dir.stoppedUncleanly).toBe(false);
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
    leaveDeadLock(dir);
    const opened = openDataDir(dir, true);
    expect(opened.stoppedUncleanly).toBe(true);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    opened.release();
  });

  /** A folder of 3,000 movies, closed cleanly, then a page in its middle overwritten, as by a torn disk write. */
  async function damagedFolder(beforeDamage?: (system: LocalSystem) => void): Promise<string> {
    const dir = tempDir();
    const system = openLocalSystem(dir, recordingLogger(), { create: true });
    await system.features.upsertMovies(Array.from({ length: 3000 }, (_, i) => ({ movieId: i + 1, title: `Movie ${i + 1}`, genres: ['Drama'] })));
    beforeDamage?.(system);
    // Closing the last connection checkpoints the WAL into the file.
    await system.close();
    const file = join(dir, 'movierec.db');
    const bytes = readFileSync(file);
    // The header stays valid.
    bytes.fill(0x5a, 16 * 4096, 17 * 4096);
    writeFileSync(file, bytes);
    return dir;
  }
  const DAMAGED = /^the database .*movierec\.db is damaged \(.+\): restore it from a backup/;

  it('checks a database after an unclean stop, and refuses a damaged one', async () => {
    const dir = await damagedFolder();
    leaveDeadLock(dir);
    expect(() => openLocalSystem(dir, recordingLogger())).toThrow(DAMAGED);
    // Refused, it held no lock: the check can be skipped, at the user's word.
    const unchecked = openLocalSystem(dir, recordingLogger(), { check: 'never' });
    await unchecked.close();
  });

  it('after a clean stop, checks only when asked or a week after the last check', async () => {
    const checkedLately = await damagedFolder();
    const opened = openLocalSystem(checkedLately, recordingLogger());
    await opened.close();
    expect(() => openLocalSystem(checkedLately, recordingLogger(), { check: 'always' })).toThrow(DAMAGED);

    const checkedLongAgo = await damagedFolder((system) => system.meta.set(CHECKED_AT, new Date(Date.now() - 8 * 86_400_000).toISOString()));
    expect(() => openLocalSystem(checkedLongAgo, recordingLogger())).toThrow(DAMAGED);

    const neverChecked = await damagedFolder((system) => system.meta.set(CHECKED_AT, 'never'));
    expect(() => openLocalSystem(neverChecked, recordingLogger())).toThrow(DAMAGED);
  });

  it('records a passed check, and tells of a check of a large database', async () => {
    const dir = tempDir();
    const system = openLocalSystem(dir, recordingLogger(), { create: true });
    expect(Date.now() - Date.parse(system.meta.get(CHECKED_AT)!)).toBeLessThan(60_000);
    await system.close();

    const file = join(tempDir(), 'large.db');
    const db = openDatabase(file);
    const lines: string[] = [];
    const check = (stoppedUncleanly: boolean) => checkAtStart(db, file, { policy: 'due', stoppedUncleanly, say: (line) => lines.push(line), now: Date.UTC(2026, 0, 10) });
    check(false);
    expect(lines).toEqual([]);
    db.prepare('INSERT INTO meta (key, value) VALUES (?, zeroblob(?))').run('padding', 100 * 2 ** 20);
    check(false);
    expect(lines).toEqual([]);
    check(true);
    expect(lines).toEqual([
      expect.stringMatching(/^Checking the database \(0\.1 GB, about a second per GB\): the last process to use it did not stop cleanly\.$/),
      expect.stringMatching(/^Checked in \d+\.\d s: no problem found\.$/),
    ]);
    expect(db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(CHECKED_AT)).toBe('2026-01-10T00:00:00.000Z');
    db.close();
  });
});
