/**
 * A store that cannot write a batch at once (DynamoDB) may stop after any of its writes. Modelled
 * here as such a store writes: users, movies, the global stats, then ratings, each item with its
 * offsets and each increment conditional on the offsets read. Whatever prefix of a batch's writes
 * lands, and however Kafka re-batches the retry, the end state must be the clean run's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RatingEvent } from '../../../lambdas/core/event-contract';
import {
  applyRatings,
  isNewer,
  ratingKey,
  type FeatureChanges,
  type FeatureSnapshot,
  type GlobalStats,
  type UserFeatures,
} from '../../../lambdas/core/features';
import type { EventPosition, Offsets, OffsetsUpdate } from '../../../lambdas/core/kafka-offsets';

const BATCH_TIME = Date.UTC(2026, 10, 24, 12);
const GENRES = new Map<number, string[]>([
  [1, ['Comedy']],
  [2, ['Comedy', 'Drama']],
  [3, ['Horror']],
  [4, []],
]);
const PARTITIONS = 2;

interface Counted extends GlobalStats {
  offsets: Offsets;
}

interface Store {
  users: Map<number, { features: UserFeatures; offsets: Offsets }>;
  movies: Map<number, Counted>;
  global: Counted;
  ratings: Map<string, RatingEvent>;
}

function emptyStore(): Store {
  return { users: new Map(), movies: new Map(), global: { ratingCount: 0, ratingSum: 0, offsets: {} }, ratings: new Map() };
}

function snapshot(store: Store, events: readonly RatingEvent[]): FeatureSnapshot {
  const ratings = new Map<string, RatingEvent>();
  for (const e of events) {
    const r = store.ratings.get(ratingKey(e.userId, e.movieId));
    if (r) ratings.set(ratingKey(e.userId, e.movieId), r);
  }
  const users = [...store.users].filter(([id]) => events.some((e) => e.userId === id));
  return {
    users: new Map(users.map(([id, u]) => [id, structuredClone(u.features)])),
    ratings,
    genres: GENRES,
    global: { ratingCount: store.global.ratingCount, ratingSum: store.global.ratingSum },
    applied: {
      users: new Map(users.map(([id, u]) => [id, u.offsets])),
      movies: new Map([...store.movies].map(([id, m]) => [id, m.offsets])),
      global: store.global.offsets,
    },
  };
}

/** Adds to an item if its offsets are those read, as the conditional update does. */
function increment(item: Counted, add: GlobalStats, offsets: OffsetsUpdate): Counted {
  for (const [source, offset] of Object.entries(offsets.next)) {
    if (offsets.read[source] !== offset && item.offsets[source] !== offsets.read[source]) throw new Error('condition failed');
  }
  return {
    ratingCount: item.ratingCount + add.ratingCount,
    ratingSum: item.ratingSum + add.ratingSum,
    offsets: { ...item.offsets, ...offsets.next },
  };
}

/** The store's writes for `changes`, in its order; a failure stops them after `landed`. */
function write(store: Store, changes: FeatureChanges, landed: number, order: 'ratings last' | 'ratings first' = 'ratings last'): void {
  const offsets = changes.offsets!;
  const writes: (() => void)[] = [
    ...changes.users.map((u) => () => store.users.set(u.userId, { features: u, offsets: offsets.users.get(u.userId)!.next })),
    ...changes.movies.map((d) => () => {
      const item = store.movies.get(d.movieId) ?? { ratingCount: 0, ratingSum: 0, offsets: {} };
      store.movies.set(d.movieId, increment(item, d, offsets.movies.get(d.movieId)!));
    }),
    () => (store.global = increment(store.global, changes.global, offsets.global)),
    ...changes.ratings.map((r) => () => {
      const key = ratingKey(r.userId, r.movieId);
      const stored = store.ratings.get(key);
      if (!stored || isNewer(r, stored)) store.ratings.set(key, r);
    }),
  ];
  if (order === 'ratings first') writes.reverse();
  for (const w of writes.slice(0, landed)) w();
}

interface Positioned {
  event: RatingEvent;
  position: EventPosition;
}

/**
 * Kafka as Lambda reads it: from each partition's committed offset, a batch of `sizes.next()`
 * records; a failed batch is not committed, and the next read (of any size) starts there again.
 */
function consume(partitions: Positioned[][], sizes: () => number, failAfter: () => number | undefined): Store {
  const store = emptyStore();
  const committed = partitions.map(() => 0);
  while (committed.some((c, p) => c < partitions[p]!.length)) {
    const size = sizes();
    const batch = partitions.map((records, p) => records.slice(committed[p], committed[p]! + size));
    const records = batch.flat();
    const events = records.map((r) => r.event);
    const { changes } = applyRatings(snapshot(store, events), events, BATCH_TIME, records.map((r) => r.position));
    const landed = failAfter();
    write(store, changes, landed ?? Infinity);
    if (landed === undefined) batch.forEach((b, p) => (committed[p] = committed[p]! + b.length));
  }
  return store;
}

function canonical(store: Store) {
  const sorted = <K, V>(m: Map<K, V>) => [...m].sort(([a], [b]) => String(a).localeCompare(String(b)));
  return {
    users: sorted(store.users).map(([id, u]) => [id, u.features]),
    movies: sorted(store.movies).map(([id, m]) => [id, m.ratingCount, m.ratingSum]),
    global: [store.global.ratingCount, store.global.ratingSum],
    ratings: sorted(store.ratings),
  };
}

const eventArb = fc.record({
  userId: fc.integer({ min: 1, max: 4 }),
  movieId: fc.integer({ min: 1, max: 4 }),
  rating: fc.integer({ min: 1, max: 10 }).map((n) => n / 2),
  eventTime: fc.integer({ min: 1, max: 6 }),
});

/** A topic whose producer keys by user: a user's events are all in one partition, in order. */
function topic(events: Omit<RatingEvent, 'eventId'>[]): Positioned[][] {
  const partitions: Positioned[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const e of events) {
    const p = e.userId % PARTITIONS;
    const offset = partitions[p]!.length;
    partitions[p]!.push({ event: { ...e, eventId: `user-events-${p}-${offset}` }, position: { source: `user-events:${p}`, offset } });
  }
  return partitions;
}

describe('a batch written in part, then retried', () => {
  it('ends, whatever part landed and however the retry is batched, in the clean run', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: 30 }),
        fc.infiniteStream(fc.integer({ min: 1, max: 8 })),
        fc.infiniteStream(fc.option(fc.nat({ max: 40 }), { freq: 2 })),
        (events, sizes, failures) => {
          const partitions = topic(events);
          const clean = consume(partitions, () => 4, () => undefined);
          let attempts = 0;
          // Every attempt may fail; after 50 attempts they succeed, as the stream must end.
          const faulty = consume(
            partitions,
            () => sizes.next().value,
            () => (++attempts > 50 ? undefined : (failures.next().value ?? undefined)),
          );
          expect(canonical(faulty)).toEqual(canonical(clean));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('fails for a store that writes the ratings first: the retry takes them for duplicates', () => {
    const partitions = topic([
      { userId: 2, movieId: 1, rating: 4, eventTime: 1 },
      { userId: 2, movieId: 2, rating: 3, eventTime: 2 },
    ]);
    const clean = consume(partitions, () => 4, () => undefined);
    const store = emptyStore();
    const records = partitions.flat();
    const events = records.map((r) => r.event);
    for (const landed of [2, Infinity]) {
      const { changes } = applyRatings(snapshot(store, events), events, BATCH_TIME, records.map((r) => r.position));
      write(store, changes, landed, 'ratings first');
    }
    expect(store.ratings.size).toBe(2);
    expect(store.users.get(2)).toBeUndefined();
    expect(canonical(store)).not.toEqual(canonical(clean));
  });
});
