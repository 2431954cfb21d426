/**
 * The benchmark's synthetic workload, from a fixed seed: a catalog whose popularity has a long tail,
 * and users whose activity does too (a few heavy raters, many light ones), each with two favourite
 * genres. Events are kept in typed arrays (17 bytes each), in the order a topic would carry them:
 * users interleaved, event time increasing.
 */
import { DEMO_GENRES } from '../local/demo-data';
import type { Movie } from '../lambdas/core/movie';
import { csr, type Csr } from '../lambdas/core/item-neighbours';
import { seededRandom, weightedSampler, type Random } from '../lambdas/core/random';

export interface Preset {
  users: number;
  movies: number;
  ratings: number;
}

export const PRESETS: Record<'small' | 'full', Preset> = {
  small: { users: 2_000, movies: 1_000, ratings: 100_000 },
  full: { users: 100_000, movies: 10_000, ratings: 10_000_000 },
};

export interface Workload {
  movies: Movie[];
  users: number;
  count: number;
  userIds: Int32Array;
  movieIds: Int32Array;
  /** Half-stars: rating * 2. */
  halfStars: Uint8Array;
  /** Event time, epoch ms, increasing. */
  times: Float64Array;
}

export const WORKLOAD_START = Date.UTC(2025, 10, 1);
const SPAN_MS = 365 * 24 * 60 * 60 * 1000;
/** Users whose events are interleaved with each other: a topic mixes the users active at a time. */
const INTERLEAVE_USERS = 5_000;

/** The workload; `start` is the first event's time (a later workload continues an earlier one). */
export function generateWorkload(preset: Preset, seed = 42, start = WORKLOAD_START): Workload {
  const rnd = seededRandom(seed);
  const movies: (Movie & { quality: number })[] = [];
  const popularity = new Float64Array(preset.movies);
  for (let id = 1; id <= preset.movies; id++) {
    const genres = new Set<string>([rnd.pick(DEMO_GENRES)]);
    while (genres.size < 3 && rnd.float() < 0.45) genres.add(rnd.pick(DEMO_GENRES));
    movies.push({ movieId: id, title: `Movie ${id}`, genres: [...genres].sort(), quality: rnd.normal() * 0.6 });
    popularity[id - 1] = 1 / Math.pow(rnd.int(1, preset.movies), 0.8);
  }
  const everyone = weightedSampler(movies.map((m) => m.movieId), (id) => popularity[id - 1]!);
  const byGenre = new Map(
    DEMO_GENRES.map((g) => {
      const ids = movies.filter((m) => m.genres.includes(g)).map((m) => m.movieId);
      return [g as string, weightedSampler(ids, (id) => popularity[id - 1]!)];
    }),
  );

  // Activity: a Pareto-like weight per user, scaled so that the counts add up to the target.
  const activity = Float64Array.from({ length: preset.users }, () => 1 / Math.pow(1 - rnd.float() * 0.999, 0.7));
  const total = activity.reduce((a, b) => a + b, 0);
  const maxPerUser = Math.floor(preset.movies * 0.4);

  const userIds = new Int32Array(preset.ratings);
  const movieIds = new Int32Array(preset.ratings);
  const halfStars = new Uint8Array(preset.ratings);
  let n = 0;
  for (let block = 0; block < preset.users; block += INTERLEAVE_USERS) {
    const start = n;
    for (let u = block; u < Math.min(preset.users, block + INTERLEAVE_USERS); u++) {
      const userId = u + 1;
      const want = Math.min(maxPerUser, Math.max(5, Math.round((activity[u]! / total) * preset.ratings)));
      const favourites = [rnd.pick(DEMO_GENRES), rnd.pick(DEMO_GENRES)];
      const seen = new Set<number>();
      for (let attempt = 0; seen.size < want && attempt < want * 20 && n < preset.ratings; attempt++) {
        const movieId = (rnd.float() < 0.85 ? byGenre.get(rnd.pick(favourites))!(rnd.float()) : everyone(rnd.float()))!;
        if (seen.has(movieId)) continue;
        seen.add(movieId);
        const m = movies[movieId - 1]!;
        const liked = m.genres.some((g) => favourites.includes(g as (typeof DEMO_GENRES)[number])) ? 0.7 : -0.5;
        userIds[n] = userId;
        movieIds[n] = movieId;
        halfStars[n] = Math.min(10, Math.max(1, Math.round((3 + m.quality + liked + rnd.normal() * 0.6) * 2)));
        n++;
      }
    }
    // Interleave the block's users as a topic would carry them.
    for (let i = n - 1; i > start; i--) {
      const j = start + Math.floor(rnd.float() * (i - start + 1));
      swap(userIds, i, j);
      swap(movieIds, i, j);
      swap(halfStars, i, j);
    }
  }
  const times = Float64Array.from({ length: n }, (_, i) => start + Math.floor((i * SPAN_MS) / n));
  return {
    movies: movies.map(({ movieId, title, genres }) => ({ movieId, title, genres })),
    users: preset.users,
    count: n,
    userIds: userIds.subarray(0, n),
    movieIds: movieIds.subarray(0, n),
    halfStars: halfStars.subarray(0, n),
    times,
  };
}

/** The event object of workload event `i`, as a producer puts it on the topic. */
export function eventAt(w: Workload, i: number): Record<string, unknown> {
  return {
    event_id: eventIdAt(w, i),
    type: 'rating',
    user_id: w.userIds[i],
    movie_id: w.movieIds[i],
    rating: w.halfStars[i]! / 2,
    timestamp: w.times[i],
  };
}

/** Event ids are unique across workloads that start at different times. */
export function eventIdAt(w: Workload, i: number): string {
  return `bench-${w.times[0]}-${i}`;
}

export const DAY_MS = 86_400_000;

export interface DayEvent {
  /** Arrival on the topic, epoch ms. */
  time: number;
  userId: number;
  movieId: number;
  rating: number;
  eventId: string;
}

/**
 * `count` rating events arriving during the day that starts at `dayStart`, in arrival order, drawn
 * from a workload as its users would go on rating: a user picked as often as users rate (a random
 * event's), then a step of the walk collaborative filtering learns from: one of their movies, one
 * of its other raters, and a movie of that rater's, rated as that rater rated it.
 */
export function dayEvents(history: Workload, count: number, dayStart: number, seed: number): DayEvent[] {
  const rnd = seededRandom(seed);
  const byUser = eventsBy(history.userIds, history.users);
  const byMovie = eventsBy(history.movieIds, history.movies.length);
  const anyOf = (index: Csr, id: number) => index.values[index.offsets[id]! + pick(rnd, index.offsets[id + 1]! - index.offsets[id]!)]!;
  return arrivals(rnd, count, dayStart).map((time, i) => {
    const userId = history.userIds[pick(rnd, history.count)]!;
    const rater = history.userIds[anyOf(byMovie, history.movieIds[anyOf(byUser, userId)]!)]!;
    const theirs = anyOf(byUser, rater);
    return { time, userId, movieId: history.movieIds[theirs]!, rating: history.halfStars[theirs]! / 2, eventId: `day-${dayStart}-${i}` };
  });
}

/** The events of each id (1 to `max`), as rows of event indexes. */
function eventsBy(ids: Int32Array, max: number): Csr {
  return csr(ids, Int32Array.from(ids, (_, e) => e), max + 1);
}

/** `count` times uniform over the day that starts at `dayStart`, in order. */
export function arrivals(rnd: Random, count: number, dayStart: number): number[] {
  return Array.from({ length: count }, () => dayStart + Math.floor(rnd.float() * DAY_MS)).sort((a, b) => a - b);
}

/** A uniform index below `n`. */
export function pick(rnd: Random, n: number): number {
  return Math.floor(rnd.float() * n);
}

function swap(a: Int32Array | Uint8Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
