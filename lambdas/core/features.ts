/**
 * Online user and movie features, and the rule that keeps them right under at-least-once delivery:
 * per (user, movie) the rating with the latest event time wins, ties broken by event id, and an
 * event already reflected (the same time and value) changes nothing. Every aggregate is kept as
 * counts and sums of the current ratings, so the daily batch can recompute the very same values
 * from silver. A store that cannot write a batch at once keeps Kafka offsets on its items, so that
 * a retry adds to each item only what that item lacks.
 */
import { latestFirst, type RatingEvent } from './event-contract';
import { OffsetMoves, reaches, type AppliedOffsets, type BatchOffsets, type EventPosition, type Offsets } from './kafka-offsets';

/** How many of a user's latest ratings the user features carry. */
export const RECENT_RATINGS = 20;
/** Weight, in ratings, of the global mean in a movie's Bayesian mean. */
export const BAYES_PRIOR_WEIGHT = 10;
/** Prior mean used while no rating at all has been seen. */
export const DEFAULT_GLOBAL_MEAN = 3.5;

export interface CountSum {
  count: number;
  sum: number;
}

export interface RecentRating {
  movieId: number;
  rating: number;
  eventTime: number;
}

export interface UserFeatures {
  userId: number;
  ratingCount: number;
  ratingSum: number;
  /** Latest event time among the user's ratings, epoch ms. */
  lastActive: number;
  /** The user's latest ratings, newest first, at most RECENT_RATINGS. */
  recent: RecentRating[];
  /** Count and sum of the user's ratings per genre of the rated movies. */
  genres: Record<string, CountSum>;
  /** Kafka time (epoch ms) of the latest batch that changed these features. */
  updatedAt: number;
}

/** What ranking reads of a user's features: a store may give it alone. */
export type RankingFeatures = Pick<UserFeatures, 'userId' | 'ratingCount' | 'genres'>;

export interface MovieFeatures {
  movieId: number;
  ratingCount: number;
  ratingSum: number;
  bayesianMean: number;
  /** Kafka time (epoch ms) of the latest batch that changed these features. */
  updatedAt: number;
}

export interface GlobalStats {
  ratingCount: number;
  ratingSum: number;
}

/** What the store holds for the keys a batch touches. */
export interface FeatureSnapshot {
  users: ReadonlyMap<number, UserFeatures>;
  /** Current rating per (user, movie), keyed by ratingKey. */
  ratings: ReadonlyMap<string, RatingEvent>;
  /** Catalog genres of the batch's movies; a movie missing here counts under no genre. */
  genres: ReadonlyMap<number, readonly string[]>;
  global: GlobalStats;
  applied?: AppliedOffsets;
  /**
   * The count and sum of the batch's movies as read, from a store that writes a movie in one
   * request: the batch then works out each movie's Bayesian mean after it.
   */
  movies?: ReadonlyMap<number, GlobalStats>;
}

/** How much a batch adds to a movie's (or the global) count and sum. */
export interface MovieDelta {
  movieId: number;
  ratingCount: number;
  ratingSum: number;
  /**
   * With the snapshot's counts and sums: the movie's Bayesian mean after the batch, as it read the
   * movie. A batch of another partition that rated the movie in between is in its count and sum,
   * and in its mean from the movie's next update (or the daily batch) on.
   */
  bayesianMean?: number;
}

/**
 * Everything a batch changes. Users and ratings are whole new states: a user's events all come
 * from one Kafka partition, so one consumer at a time writes them. Movies and the global stats
 * are shared by every partition: they change by increments, which concurrent consumers can add
 * without losing each other's.
 */
export interface FeatureChanges {
  ratings: RatingEvent[];
  users: UserFeatures[];
  movies: MovieDelta[];
  global: GlobalStats;
  /** The batch's latest Kafka timestamp. */
  batchTime: number;
  /** The global mean after the batch, as this consumer saw it: the prior of the Bayesian means. */
  priorMean: number;
  /** With event positions: the offsets each changed user, movie and the global stats move to. */
  offsets?: BatchOffsets;
}

export type Outcome = 'applied' | 'duplicate' | 'superseded';

export function ratingKey(userId: number, movieId: number): string {
  return `${userId}:${movieId}`;
}

export function globalMean(g: GlobalStats): number {
  return g.ratingCount === 0 ? DEFAULT_GLOBAL_MEAN : g.ratingSum / g.ratingCount;
}

export function bayesianMean(count: number, sum: number, priorMean: number): number {
  return (BAYES_PRIOR_WEIGHT * priorMean + sum) / (BAYES_PRIOR_WEIGHT + count);
}

/**
 * True when `a` should replace `b` as the current rating of their (user, movie): later event time,
 * then greater event id, then greater rating. A total order, which the silver SQL and the stores'
 * conditional writes follow too, so that every path keeps the same rating.
 */
export function isNewer(a: RatingEvent, b: RatingEvent): boolean {
  return (
    a.eventTime > b.eventTime ||
    (a.eventTime === b.eventTime && (a.eventId > b.eventId || (a.eventId === b.eventId && a.rating > b.rating)))
  );
}

/**
 * True when `a` carries nothing new over the current rating `b`: the same time and value, as in a
 * redelivery, or a producer's resend without an event id (a new offset, hence a new derived id).
 * An event that reuses an id with another time or value is not a redelivery: it competes by
 * `isNewer`, as it does in silver.
 */
export function isSameRating(a: RatingEvent, b: RatingEvent): boolean {
  return a.eventTime === b.eventTime && a.rating === b.rating;
}

/** A movie's features after an increment: what a store writes for each MovieDelta. */
export function addToMovie(
  stored: MovieFeatures | undefined,
  delta: MovieDelta,
  batchTime: number,
  priorMean: number,
): MovieFeatures {
  const ratingCount = (stored?.ratingCount ?? 0) + delta.ratingCount;
  const ratingSum = (stored?.ratingSum ?? 0) + delta.ratingSum;
  return {
    movieId: delta.movieId,
    ratingCount,
    ratingSum,
    bayesianMean: bayesianMean(ratingCount, ratingSum, priorMean),
    updatedAt: Math.max(stored?.updatedAt ?? 0, batchTime),
  };
}

export function emptyUser(userId: number): UserFeatures {
  return { userId, ratingCount: 0, ratingSum: 0, lastActive: 0, recent: [], genres: {}, updatedAt: 0 };
}

/**
 * Applies a batch of valid events to a snapshot. Returns the changed state and one outcome per
 * event, in input order. The final state does not depend on the order of the events.
 * `batchTime` is the batch's latest Kafka timestamp: it marks what the batch changed.
 * `positions[i]`, when given, is where `events[i]` sits in Kafka: an item whose offsets in
 * `snapshot.applied` reach it already holds that event's effect and does not get it again.
 */
export function applyRatings(
  snapshot: FeatureSnapshot,
  events: readonly RatingEvent[],
  batchTime: number,
  positions?: readonly EventPosition[],
): { changes: FeatureChanges; outcomes: Outcome[] } {
  // One record per (user, movie), by user then movie: a run of one user's events (a bulk import
  // sorts them so) costs one number lookup each, and no string key unless the snapshot holds
  // ratings to find. `changed` lists the pairs whose rating the batch replaces, in the order they
  // first changed.
  const pairsByUser = new Map<number, Map<number, Pair>>();
  let userId = NaN;
  let pairs = new Map<number, Pair>();
  const storedRatings = snapshot.ratings.size > 0 ? snapshot.ratings : undefined;
  const changed: Pair[] = [];
  const outcomes = new Array<Outcome>(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (event.userId !== userId) {
      userId = event.userId;
      let p = pairsByUser.get(userId);
      if (!p) pairsByUser.set(userId, (p = new Map()));
      pairs = p;
    }
    let pair = pairs.get(event.movieId);
    if (pair) pair.indexes?.push(i);
    else {
      const stored = storedRatings?.get(ratingKey(event.userId, event.movieId));
      pairs.set(event.movieId, (pair = { final: stored, stored, indexes: positions && [i], changed: false }));
    }
    const current = pair.final;
    const newer = !current || isNewer(event, current);
    if (newer) {
      pair.final = event;
      if (!pair.changed) {
        pair.changed = true;
        changed.push(pair);
      }
    }
    outcomes[i] = current && isSameRating(event, current) ? 'duplicate' : newer ? 'applied' : 'superseded';
  }

  const applied = snapshot.applied;
  const users = new Map<number, UserChanges>();
  const movies = new Map<number, MovieChanges>();
  const global: GlobalStats = { ratingCount: 0, ratingSum: 0 };
  const moves = positions && new OffsetMoves(positions);

  const ratings: RatingEvent[] = [];
  let user: UserChanges | undefined;
  for (const pair of changed) {
    const final = pair.final!;
    ratings.push(final);
    // A new event id for the same time and value: the id is kept, the features do not change.
    if (pair.stored && isSameRating(final, pair.stored)) continue;
    // What each item already holds of this pair: the stored rating, or a newer one from events
    // its offsets reach (written to it by an earlier attempt whose ratings did not all land).
    const heldByUser = held(pair, events, positions, applied?.users.get(final.userId));
    const heldByMovie = held(pair, events, positions, applied?.movies.get(final.movieId));
    const heldByGlobal = held(pair, events, positions, applied?.global);

    let movie = movies.get(final.movieId);
    if (!movie) {
      movie = { delta: { movieId: final.movieId, ratingCount: 0, ratingSum: 0 }, genres: snapshot.genres.get(final.movieId) ?? NO_GENRES };
      movies.set(final.movieId, movie);
    }
    if (user?.features.userId !== final.userId) {
      user = users.get(final.userId);
      if (!user) {
        const s = snapshot.users.get(final.userId);
        const features = s ? { ...s, genres: cloneGenres(s.genres) } : emptyUser(final.userId);
        features.updatedAt = Math.max(features.updatedAt, batchTime);
        users.set(final.userId, (user = { features, latest: [] }));
      }
    }
    const u = user.features;
    if (addRating(u, final, heldByUser)) {
      const added = heldByUser ? 0 : 1;
      const delta = final.rating - (heldByUser?.rating ?? 0);
      u.lastActive = Math.max(u.lastActive, final.eventTime);
      // Each user's changed ratings enter their latest list once, after the loop.
      user.latest.push(final);
      for (const g of movie.genres) {
        const stat = (u.genres[g] ??= { count: 0, sum: 0 });
        stat.count += added;
        stat.sum += delta;
      }
    }
    addRating(movie.delta, final, heldByMovie);
    addRating(global, final, heldByGlobal);

    if (moves) moves.touch(final.userId, final.movieId, pair.indexes!);
  }
  for (const { features, latest } of users.values()) {
    if (latest.length > 0) features.recent = withChanges(features.recent, latest);
  }

  const priorMean = globalMean({
    ratingCount: snapshot.global.ratingCount + global.ratingCount,
    ratingSum: snapshot.global.ratingSum + global.ratingSum,
  });
  const deltas = [...movies.values()].map((m) => m.delta);
  if (snapshot.movies) {
    for (const m of deltas) {
      const read = snapshot.movies.get(m.movieId) ?? { ratingCount: 0, ratingSum: 0 };
      m.bayesianMean = bayesianMean(read.ratingCount + m.ratingCount, read.ratingSum + m.ratingSum, priorMean);
    }
  }
  const changes: FeatureChanges = {
    ratings,
    users: [...users.values()].map((u) => u.features),
    movies: deltas,
    global,
    batchTime,
    priorMean,
  };
  if (moves) changes.offsets = moves.result(applied);
  return { changes, outcomes };
}

const NO_GENRES: readonly string[] = [];

/** A user the batch changes: the features so far, and the changed ratings to enter their latest list. */
interface UserChanges {
  features: UserFeatures;
  latest: RatingEvent[];
}

/** A movie the batch changes: what it adds to the movie, and the genres it adds to a user's. */
interface MovieChanges {
  delta: MovieDelta;
  genres: readonly string[];
}

/** A (user, movie) the batch rates: the stored rating, the one the batch ends on, and its events. */
interface Pair {
  final: RatingEvent | undefined;
  stored: RatingEvent | undefined;
  /** Indexes of the pair's events in the batch, kept only when the batch has positions. */
  indexes: number[] | undefined;
  changed: boolean;
}

/** The rating an item whose offsets are `offsets` already holds of the pair. */
function held(
  pair: Pair,
  events: readonly RatingEvent[],
  positions: readonly EventPosition[] | undefined,
  offsets: Offsets | undefined,
): RatingEvent | undefined {
  if (!positions || !offsets) return pair.stored;
  let newest = pair.stored;
  for (const i of pair.indexes!) {
    if (reaches(offsets, positions[i]!) && (!newest || isNewer(events[i]!, newest))) newest = events[i];
  }
  return newest;
}

/**
 * Counts the pair's final rating in an item that holds `heldRating` of it, in place of that one;
 * false, and nothing changed, when the item already holds the final rating.
 */
function addRating(item: { ratingCount: number; ratingSum: number }, final: RatingEvent, heldRating: RatingEvent | undefined): boolean {
  if (heldRating && isSameRating(final, heldRating)) return false;
  item.ratingCount += heldRating ? 0 : 1;
  item.ratingSum += final.rating - (heldRating?.rating ?? 0);
  return true;
}

/**
 * The latest list after some of its movies' ratings changed. A changed rating is never older than
 * the one it replaces, so the latest RECENT_RATINGS are among the list and the changes.
 */
function withChanges(recent: readonly RecentRating[], changed: RatingEvent[]): RecentRating[] {
  const movies = new Set(changed.map((r) => r.movieId));
  // Ties by movie id, so that every order of the same events gives the same list.
  changed.sort(latestFirst);
  const next = recent.filter((r) => !movies.has(r.movieId));
  for (const r of changed.slice(0, RECENT_RATINGS)) next.push({ movieId: r.movieId, rating: r.rating, eventTime: r.eventTime });
  next.sort(latestFirst);
  return next.slice(0, RECENT_RATINGS);
}

function cloneGenres(genres: Record<string, CountSum>): Record<string, CountSum> {
  const copy: Record<string, CountSum> = {};
  for (const g of Object.keys(genres)) {
    const { count, sum } = genres[g]!;
    copy[g] = { count, sum };
  }
  return copy;
}

/** Whether two users' features hold the same values, whenever each was last changed. */
export function sameUserFeatures(a: UserFeatures, b: UserFeatures | undefined): boolean {
  if (!b || a.ratingCount !== b.ratingCount || a.ratingSum !== b.ratingSum || a.lastActive !== b.lastActive) return false;
  if (a.recent.length !== b.recent.length) return false;
  for (const [i, r] of a.recent.entries()) {
    const s = b.recent[i]!;
    if (r.movieId !== s.movieId || r.rating !== s.rating || r.eventTime !== s.eventTime) return false;
  }
  const genres = Object.keys(a.genres);
  if (genres.length !== Object.keys(b.genres).length) return false;
  return genres.every((g) => a.genres[g]!.count === b.genres[g]?.count && a.genres[g]!.sum === b.genres[g]?.sum);
}

/** Whether two movies' features hold the same values, whenever each was last changed. */
export function sameMovieFeatures(a: MovieFeatures, b: MovieFeatures | undefined): boolean {
  return b !== undefined && a.ratingCount === b.ratingCount && a.ratingSum === b.ratingSum && a.bayesianMean === b.bayesianMean;
}
