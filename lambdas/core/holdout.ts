/**
 * How a model's offline measure splits the ratings it learns from: which it trains on, and which
 * (per user) it must find. Three protocols, all over the silver ratings' columns:
 * - `splitPerUser`: of each user's ratings, a random 75% to train and the rest to find;
 * - `leaveLatestOut`: each user's latest rating to find, by time;
 * - `splitByTime`: the latest events (a share of them, or the last days) to find, the earlier ones
 *   to train on: the daily batch's measure, a model judged by what users did after it was trained.
 */
import type { Interactions } from './item-neighbours';
import type { Random } from './random';

/** The silver ratings as the batch reads them: who rated what, how, and when (epoch ms). */
export interface SilverRatings extends Interactions {
  ratings: Float32Array;
  eventTimes: Float64Array;
}

export interface Split {
  train: SilverRatings;
  /** The movies to find, per user, for the users measured. */
  test: Map<number, Set<number>>;
  /** In words, for reports: what was held out. */
  protocol: string;
}

/** The batch's holdout: the latest share of the events by time, or those of the last days. */
export type Holdout = { share: number } | { days: number };

export const DEFAULT_HOLDOUT: Holdout = { share: 0.1 };
/** Users a time split measures, at most (chosen by a hash of their id): the measure's cost stays bounded. */
export const MEASURED_USERS = 1000;
export const TRAIN_SHARE = 0.75;
const DAY_MS = 86_400_000;

/** `10%` (a share of the events, 0-50%) or `1d` (days, 1-365), as settings and options write it. */
export function parseHoldout(text: string): Holdout {
  const share = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (share && Number(share[1]) > 0 && Number(share[1]) <= 50) return { share: Number(share[1]) / 100 };
  const days = /^(\d+)d$/.exec(text);
  if (days && Number(days[1]) >= 1 && Number(days[1]) <= 365) return { days: Number(days[1]) };
  throw new RangeError(`a holdout is a share of the latest events, from 0% to 50% (like 10%), or a number of days from 1 to 365 (like 1d); got ${JSON.stringify(text)}`);
}

export function formatHoldout(holdout: Holdout): string {
  return 'share' in holdout ? formatShare(holdout.share) : `${holdout.days}d`;
}

/** 0.1 as `10%`, to a tenth of a percent. */
export function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

/**
 * The events from the cutoff on are held out: the latest `share` of them, or those less than
 * `days` days older than the latest. Measured: the users with ratings on both sides (at most
 * `maxUsers`, by a hash of their id, so that a re-run measures the same ones).
 */
export function splitByTime(data: SilverRatings, holdout: Holdout, maxUsers = MEASURED_USERS): Split & { cutoff: number } {
  const n = data.eventTimes.length;
  let cutoff = Infinity;
  if (n > 0 && 'share' in holdout) cutoff = Float64Array.from(data.eventTimes).sort()[Math.min(n - 1, Math.floor(n * (1 - holdout.share)))]!;
  if (n > 0 && 'days' in holdout) cutoff = data.eventTimes.reduce((a, b) => Math.max(a, b), -Infinity) - holdout.days * DAY_MS + 1;
  const before = new Set<number>();
  const after = new Set<number>();
  for (let i = 0; i < n; i++) (data.eventTimes[i]! < cutoff ? before : after).add(data.userIds[i]!);
  const measured = new Set(chosenUsers([...after].filter((u) => before.has(u)), maxUsers));
  const protocol = `${'share' in holdout ? `the latest ${formatHoldout(holdout)} of the events` : `the events of the last ${holdout.days} day${holdout.days === 1 ? '' : 's'}`} by time`;
  return { ...splitRows(data, (i) => data.eventTimes[i]! >= cutoff, measured), protocol, cutoff };
}

/** Each user's latest rating held out (ties: the higher movie id), of the users with two ratings or more. */
export function leaveLatestOut(data: SilverRatings): Split {
  const count = new Map<number, number>();
  const latest = new Map<number, number>();
  const { userIds, movieIds, eventTimes } = data;
  for (let i = 0; i < userIds.length; i++) {
    const u = userIds[i]!;
    count.set(u, (count.get(u) ?? 0) + 1);
    const j = latest.get(u);
    if (j === undefined || eventTimes[i]! > eventTimes[j]! || (eventTimes[i] === eventTimes[j] && movieIds[i]! > movieIds[j]!)) latest.set(u, i);
  }
  const held = new Set([...latest].filter(([u]) => count.get(u)! >= 2).map(([, i]) => i));
  const measured = new Set([...held].map((i) => userIds[i]!));
  return { ...splitRows(data, (i) => held.has(i), measured), protocol: "each user's latest rating, by time" };
}

/**
 * Of each user's ratings, round(75%) to train and the rest to find: users in id order, each user's
 * ratings in movie order, then shuffled, so that the same seed gives the same split. The train
 * ratings are kept in that order (a user's first ones are a random few of theirs).
 */
export function splitPerUser(data: SilverRatings, random: Random): Split {
  const byUser = new Map<number, number[]>();
  for (let i = 0; i < data.userIds.length; i++) {
    const u = data.userIds[i]!;
    let rows = byUser.get(u);
    if (!rows) byUser.set(u, (rows = []));
    rows.push(i);
  }
  const order: number[] = [];
  const test = new Map<number, Set<number>>();
  for (const userId of [...byUser.keys()].sort((a, b) => a - b)) {
    const rows = byUser.get(userId)!.sort((a, b) => data.movieIds[a]! - data.movieIds[b]!);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = random.int(0, i);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    const cut = Math.round(rows.length * TRAIN_SHARE);
    order.push(...rows.slice(0, cut));
    if (cut < rows.length) test.set(userId, new Set(rows.slice(cut).map((i) => data.movieIds[i]!)));
  }
  return { train: select(data, order), test, protocol: `per user, random: round(${TRAIN_SHARE * 100}%) of each user's ratings to train, the rest to find` };
}

/** The ratings a split holds out, all users together. */
export function heldOutRatings(split: Pick<Split, 'test'>): number {
  let count = 0;
  for (const movies of split.test.values()) count += movies.size;
  return count;
}

/** Rows where `held` is true are to find (for the measured users) and never trained on; the others train. */
function splitRows(data: SilverRatings, held: (i: number) => boolean, measured: ReadonlySet<number>): Pick<Split, 'train' | 'test'> {
  const train: number[] = [];
  const test = new Map<number, Set<number>>();
  for (let i = 0; i < data.userIds.length; i++) {
    if (!held(i)) train.push(i);
    else if (measured.has(data.userIds[i]!)) {
      const u = data.userIds[i]!;
      let movies = test.get(u);
      if (!movies) test.set(u, (movies = new Set()));
      movies.add(data.movieIds[i]!);
    }
  }
  return { train: select(data, train), test };
}

function select(data: SilverRatings, rows: readonly number[]): SilverRatings {
  return {
    userIds: Int32Array.from(rows, (i) => data.userIds[i]!),
    movieIds: Int32Array.from(rows, (i) => data.movieIds[i]!),
    ratings: Float32Array.from(rows, (i) => data.ratings[i]!),
    eventTimes: Float64Array.from(rows, (i) => data.eventTimes[i]!),
  };
}

function chosenUsers(users: readonly number[], max: number): number[] {
  const hash = (userId: number) => Math.imul(userId, 0x9e3779b1) >>> 0;
  return [...users].sort((a, b) => hash(a) - hash(b) || a - b).slice(0, max);
}
