import Database from 'better-sqlite3';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { startBackgroundCheckpoints } from '../../../local/sqlite/background-checkpoints';
import { openDatabase, type Db } from '../../../local/sqlite/database';
import { recordingLogger } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

describe('startBackgroundCheckpoints', () => {
  const tempDir = useTempDir();

  /**
   * The movies a copy of the database file alone holds: what checkpoints have copied into it from
   * the WAL. A copy taken in the middle of a checkpoint may be torn: it counts as none.
   */
  const moviesInFile = (file: string): number => {
    const copy = join(tempDir(), 'copy.db');
    copyFileSync(file, copy);
    const db = new Database(copy);
    try {
      return db.prepare('SELECT COUNT(*) FROM movies').pluck().get() as number;
    } catch (err) {
      if (err instanceof Database.SqliteError && err.code === 'SQLITE_CORRUPT') return 0;
      throw err;
    } finally {
      db.close();
    }
  };

  const writeMovies = (db: Db, from: number, count: number) => {
    const insert = db.prepare("INSERT INTO movies (movie_id, title, genres) VALUES (?, 'A movie', '[]')");
    db.transaction(() => {
      for (let id = from; id < from + count; id++) insert.run(id);
    })();
  };

  it("copies the writer's commits into the database file while the writer goes on, with no checkpoint of the writer's", async () => {
    const file = join(tempDir(), 'movierec.db');
    const db = openDatabase(file);
    // The schema in the file, and from now on the writer never checkpoints.
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('wal_autocheckpoint = 0');
    writeMovies(db, 1, 500);
    expect(moviesInFile(file)).toBe(0);

    const checkpoints = startBackgroundCheckpoints(file, recordingLogger());
    await expect.poll(() => moviesInFile(file), { timeout: 10_000 }).toBe(500);
    // Later commits too, while the worker polls an idle WAL less often.
    await new Promise((resolve) => setTimeout(resolve, 100));
    writeMovies(db, 501, 500);
    await expect.poll(() => moviesInFile(file), { timeout: 10_000 }).toBe(1000);

    await checkpoints.stop();
    expect(existsSync(`${file}-wal`)).toBe(true);
    // The last connection to close removes the WAL: the worker's is closed.
    db.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('logs a worker that cannot open the database, and stops without an error', async () => {
    const logger = recordingLogger();
    const checkpoints = startBackgroundCheckpoints(join(tempDir(), 'missing.db'), logger);
    await vi.waitFor(() => expect(logger.lines.length).toBeGreaterThan(0), { timeout: 10_000 });
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', message: 'background checkpoints stopped: the writer checkpoints alone' }),
    ]);
    expect(String(logger.lines[0]!.data?.error)).toMatch(/unable to open/);
    await checkpoints.stop();
  });
});
