/**
 * The data folder: one movierec process at a time. A lock file holds the owner's pid; a second
 * process is refused with that pid, and a lock whose process is gone (killed, or the machine
 * restarted) is taken over: the folder was not closed cleanly. Only the commands that start a system (`npm run local`, `import`)
 * create a folder; the others refuse one that holds no database, so a mistyped path is an error,
 * not a new empty database.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const DATABASE_FILE = 'movierec.db';
export const LOCK_FILE = 'movierec.lock';

export class DataDirError extends Error {
  override name = 'DataDirError';
}

export interface DataDir {
  path: string;
  database: string;
  /** True when this call made the folder. */
  created: boolean;
  /** True when the lock was taken over from a process that died holding it: the last stop was not clean. */
  stoppedUncleanly: boolean;
  /** Gives up the lock; a lock taken over by another process is left alone. */
  release(): void;
}

/** The folder's database file; a DataDirError that names the folder when it holds none. */
export function existingDatabase(path: string): string {
  const database = join(path, DATABASE_FILE);
  if (!existsSync(database)) {
    throw new DataDirError(
      `no movierec database in ${path}: check --data-dir, or start one there with \`npm run local -- --data-dir ${path}\` or \`import\``,
    );
  }
  return database;
}

/** Opens (or, with `create`, makes) the data folder and takes its lock. */
export function openDataDir(path: string, create: boolean): DataDir {
  const database = join(path, DATABASE_FILE);
  let created = false;
  if (!create) existingDatabase(path);
  else if (!existsSync(database)) {
    created = !existsSync(path);
    try {
      makeFolders(path);
    } catch (err) {
      throw new DataDirError(`cannot create the data folder ${path}: ${(err as Error).message}`);
    }
  }
  const lock = join(path, LOCK_FILE);
  const stoppedUncleanly = takeLock(lock, path);
  return {
    path,
    database,
    created,
    stoppedUncleanly,
    release: () => {
      if (lockHolder(lock) === process.pid) unlinkSync(lock);
    },
  };
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns for a path it cannot make
 * under /proc, where each level reports ENOENT.
 */
function makeFolders(path: string): void {
  const missing: string[] = [];
  for (let p = path; !existsSync(p); p = dirname(p)) {
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const dir of missing) mkdirSync(dir);
}

/** Takes the lock; true when it was a dead process's. */
function takeLock(lock: string, path: string): boolean {
  // Written aside, then linked: the lock appears with its pid in it, never empty.
  const mine = `${lock}.${process.pid}`;
  try {
    writeFileSync(mine, `${process.pid}\n`);
  } catch (err) {
    throw new DataDirError(`cannot lock the data folder ${path}: ${(err as Error).message}`);
  }
  try {
    // Twice at most: once more after removing a dead process's lock (another process may win that race).
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(mine, lock);
        return attempt > 0;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new DataDirError(`cannot lock the data folder ${path}: ${(err as Error).message}`);
        }
      }
      const holder = lockHolder(lock);
      if (holder !== undefined && isRunning(holder)) {
        throw new DataDirError(`the data folder ${path} is in use by process ${holder}: stop it first, or use another --data-dir`);
      }
      rmSync(lock, { force: true });
    }
    throw new DataDirError(`cannot lock the data folder ${path}: another process keeps taking it`);
  } finally {
    rmSync(mine, { force: true });
  }
}

/** The pid in a lock file; undefined when it is gone or unreadable (a holder that died while writing it). */
function lockHolder(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** A killed process its parent has not reaped yet still answers signals; on Linux, /proc tells. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}
