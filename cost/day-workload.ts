/**
 * The traffic of a metered day, drawn from the history the lake already holds (the bench's
 * synthetic workload): each new rating is by a user picked as often as users rate (a random past
 * event's user) of a movie picked as often as movies are rated (another event's movie); each API
 * request is for a user or a movie picked the same way. Arrival times are uniform over the day, and
 * the event source groups the events into batches as its batching window and batch size make it.
 */
import type { MSKEvent } from 'aws-lambda';
import { seededRandom } from '../lambdas/core/random';
import { EmbeddedProducer, messageFor } from '../local/embedded-producer';
import { openDatabase } from '../local/sqlite/database';
import { DEMO_GENRES } from '../local/demo-data';
import { arrivals, pick, type DayEvent, type Workload } from '../bench/workload';

/**
 * The MSK batches the event source makes of the events: a batch starts with the first record
 * after the last batch and takes the records that arrive within the batching window, up to the
 * batch size. Each record keeps its Kafka timestamp's window start.
 */
export function mskBatches(events: readonly DayEvent[], topic: string, batchSize: number, windowSeconds: number): MSKEvent[] {
  const db = openDatabase(':memory:');
  try {
    const producer = new EmbeddedProducer(db, topic);
    const out: MSKEvent[] = [];
    for (let start = 0; start < events.length; ) {
      const first = events[start]!.time;
      let end = start + 1;
      while (end < events.length && end - start < batchSize && events[end]!.time < first + windowSeconds * 1000) end++;
      const messages = events.slice(start, end).map((e) =>
        messageFor({ event_id: e.eventId, type: 'rating', user_id: e.userId, movie_id: e.movieId, rating: e.rating, timestamp: e.time }),
      );
      out.push(...producer.batches(messages, batchSize, first));
      start = end;
    }
    return out;
  } finally {
    db.close();
  }
}

export interface ApiCall {
  time: number;
  path: string;
}

/** Shares of the day's requests: recommendations (a quarter of them for a genre), similar movies, title searches. */
export const API_MIX = { recommendations: 0.8, similar: 0.15, search: 0.05 } as const;

/** `count` requests during the day, for the users given (picked at random) and movies picked as often as they are rated. */
export function apiCalls(history: Workload, users: readonly number[], count: number, dayStart: number, seed: number): ApiCall[] {
  const rnd = seededRandom(seed);
  return arrivals(rnd, count, dayStart).map((time) => {
    const u = rnd.float();
    const movieId = history.movieIds[pick(rnd, history.count)]!;
    if (u < API_MIX.recommendations) {
      const genre = rnd.float() < 0.25 ? `&genre=${encodeURIComponent(rnd.pick(DEMO_GENRES))}` : '';
      return { time, path: `/users/${rnd.pick(users)}/recommendations?limit=10${genre}` };
    }
    if (u < API_MIX.recommendations + API_MIX.similar) return { time, path: `/movies/${movieId}/similar?limit=10` };
    return { time, path: `/movies?q=${encodeURIComponent(history.movies[movieId - 1]!.title)}&limit=10` };
  });
}

/** `count` distinct users, each picked as often as users rate. */
export function activeUsers(history: Workload, count: number, seed: number): number[] {
  const rnd = seededRandom(seed);
  const users = new Set<number>();
  for (let attempt = 0; users.size < count && attempt < count * 50; attempt++) users.add(history.userIds[pick(rnd, history.count)]!);
  return [...users].sort((a, b) => a - b);
}
