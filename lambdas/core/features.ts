/**
 * Online user and movie features, and the rule that keeps them right under at-least-once delivery:
 * per (user, movie) the rating with the latest event time wins, ties broken by event id, and an
 * event already reflected (same event id, or same time and value) changes nothing. Every aggregate is kept as counts and sums of the
 * current ratings, so the daily batch can recompute the very same values from silver.
 */
import type { RatingEvent } from './event-contract';

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
}

/** How much a batch adds to a movie's (or the global) count and sum. */
export interface MovieDelta {
  movieId: number;
  ratingCount: number;
  ratingSum: number;
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
 */
export function applyRatings(
  snapshot: FeatureSnapshot,
  events: readonly RatingEvent[],
  batchTime: number,
): { changes: FeatureChanges; outcomes: Outcome[] } {
  const ratings = new Map<string, RatingEvent>();
  const users = new Map<number, UserFeatures>();
  const movies = new Map<number, MovieDelta>();
  const global: GlobalStats = { ratingCount: 0, ratingSum: 0 };

  const user = (id: number): UserFeatures => {
    let u = users.get(id);
    if (!u) {
      const stored = snapshot.users.get(id);
      u = stored ? { ...stored, recent: [...stored.recent], genres: cloneGenres(stored.genres) } : emptyUser(id);
      users.set(id, u);
    }
    return u;
  };
  const movie = (id: number): MovieDelta => {
    let m = movies.get(id);
    if (!m) movies.set(id, (m = { movieId: id, ratingCount: 0, ratingSum: 0 }));
    return m;
  };

  const outcomes = events.map((event): Outcome => {
    const key = ratingKey(event.userId, event.movieId);
    const current = ratings.get(key) ?? snapshot.ratings.get(key);
    if (current && isSameRating(event, current)) {
      // Still keep the winner of the tie-break by id, so that every order ends on the same event.
      if (isNewer(event, current)) ratings.set(key, event);
      return 'duplicate';
    }
    if (current && !isNewer(event, current)) return 'superseded';

    const u = user(event.userId);
    const m = movie(event.movieId);
    const genres = snapshot.genres.get(event.movieId) ?? [];
    const delta = event.rating - (current?.rating ?? 0);
    const added = current ? 0 : 1;

    u.ratingCount += added;
    u.ratingSum += delta;
    u.lastActive = Math.max(u.lastActive, event.eventTime);
    u.updatedAt = Math.max(u.updatedAt, batchTime);
    u.recent = updateRecent(u.recent, event);
    for (const g of genres) {
      const stat = (u.genres[g] ??= { count: 0, sum: 0 });
      stat.count += added;
      stat.sum += delta;
    }
    m.ratingCount += added;
    m.ratingSum += delta;
    global.ratingCount += added;
    global.ratingSum += delta;
    ratings.set(key, event);
    return 'applied';
  });

  const priorMean = globalMean({
    ratingCount: snapshot.global.ratingCount + global.ratingCount,
    ratingSum: snapshot.global.ratingSum + global.ratingSum,
  });
  return {
    changes: { ratings: [...ratings.values()], users: [...users.values()], movies: [...movies.values()], global, batchTime, priorMean },
    outcomes,
  };
}

/** Newest first; ties by movie id so that every order of the same events gives the same list. */
export function compareRecent(a: RecentRating, b: RecentRating): number {
  return b.eventTime - a.eventTime || a.movieId - b.movieId;
}

function updateRecent(recent: readonly RecentRating[], event: RatingEvent): RecentRating[] {
  const next = recent.filter((r) => r.movieId !== event.movieId);
  next.push({ movieId: event.movieId, rating: event.rating, eventTime: event.eventTime });
  next.sort(compareRecent);
  return next.slice(0, RECENT_RATINGS);
}

function cloneGenres(genres: Record<string, CountSum>): Record<string, CountSum> {
  return Object.fromEntries(Object.entries(genres).map(([g, s]) => [g, { ...s }]));
}
