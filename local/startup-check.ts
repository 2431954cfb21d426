/**
 * When a command checks the database at start. PRAGMA quick_check reads every page, about a second
 * per GB (half a minute for 10M ratings), so it runs when there is a reason: the last process to
 * hold the folder died holding it, the database has no record of a check, or its last check is a
 * week old, as a disk can fail while the folder sits unused. `--check` runs it at every start,
 * `--no-check` never.
 */
import { statSync } from 'node:fs';
import { checkIntegrity, getMeta, setMeta, type Db } from './sqlite/database';

/** `due`: when one of the reasons above holds (the default). */
export type CheckPolicy = 'due' | 'always' | 'never';

/** Days a passed check is trusted. */
export const CHECK_EVERY_DAYS = 7;
/** The meta key of the last passed check's time (ISO 8601). */
export const CHECKED_AT = 'integrity_checked_at';
/** Smaller databases are checked without a word: it takes a fraction of a second. */
const TELL_FROM_BYTES = 100 * 2 ** 20;
const DAY_MS = 86_400_000;

/** Why a check is due, or undefined when it is not. */
export function checkReason(policy: CheckPolicy, stoppedUncleanly: boolean, checkedAt: string | undefined, now: number): string | undefined {
  if (policy === 'never') return undefined;
  if (policy === 'always') return 'asked for with --check';
  if (stoppedUncleanly) return 'the last process to use it did not stop cleanly';
  const last = checkedAt === undefined ? NaN : Date.parse(checkedAt);
  if (Number.isNaN(last)) return 'it has no record of a check';
  const days = Math.floor((now - last) / DAY_MS);
  return days >= CHECK_EVERY_DAYS ? `its last check was ${days} days ago` : undefined;
}

export interface StartupCheck {
  policy: CheckPolicy;
  stoppedUncleanly: boolean;
  /** Told of a check of a large database, which takes a while, and of its end. */
  say?: (line: string) => void;
  /** Default Date.now(). */
  now?: number;
}

/** Checks the database when a check is due, and records a passed one; a damaged database throws. */
export function checkAtStart(db: Db, file: string, options: StartupCheck): void {
  const now = options.now ?? Date.now();
  let checkedAt: string | undefined;
  try {
    checkedAt = getMeta(db, CHECKED_AT);
  } catch {
    // Unreadable: the check will say why.
  }
  const reason = checkReason(options.policy, options.stoppedUncleanly, checkedAt, now);
  if (reason === undefined) return;
  const bytes = statSync(file).size;
  const say = bytes >= TELL_FROM_BYTES ? options.say : undefined;
  const started = performance.now();
  say?.(`Checking the database (${(bytes / 2 ** 30).toFixed(1)} GB, about a second per GB): ${reason}.`);
  checkIntegrity(db, file);
  setMeta(db, CHECKED_AT, new Date(now).toISOString());
  say?.(`Checked in ${((performance.now() - started) / 1000).toFixed(1)} s: no problem found.`);
}
