import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RatingEvent } from '../../../lambdas/core/event-contract';
import { ratingEvent as ev } from '../../helpers/msk';
import {
  addToMovie,
  applyRatings,
  BAYES_PRIOR_WEIGHT,
  RECENT_RATINGS,
  ratingKey,
  type FeatureChanges,
  type FeatureSnapshot,
  type MovieFeatures,
} from '../../../lambdas/core/features';

const BATCH_TIME = Date.UTC(2026, 10, 24, 12);

const GENRES = new Map<number, string[]>([
  [1, ['Comedy']],
  [2, ['Comedy', 'Drama']],
  [3, ['Horror']],
]);

/** A store as the tests keep it: the snapshot a consumer reads, and the movie features. */
interface State extends FeatureSnapshot {
  movies: Map<number, MovieFeatures>;
}

function empty(): State {
  return { users: new Map(), movies: new Map(), ratings: new Map(), genres: GENRES, global: { ratingCount: 0, ratingSum: 0 } };
}

/** What a store holds after writing `changes` on top of `s`. */
function merge(s: State, changes: FeatureChanges): State {
  const ratings = new Map(s.ratings);
  for (const r of changes.ratings) ratings.set(ratingKey(r.userId, r.movieId), r);
  const movies = new Map(s.movies);
  for (const d of changes.movies) movies.set(d.movieId, addToMovie(movies.get(d.movieId), d, changes.batchTime, changes.priorMean));
  return {
    users: new Map([...s.users, ...changes.users.map((u) => [u.userId, u] as const)]),
    movies,
    ratings,
    genres: s.genres,
    global: {
      ratingCount: s.global.ratingCount + changes.global.ratingCount,
      ratingSum: s.global.ratingSum + changes.global.ratingSum,
    },
  };
}

describe('applyRatings', () => {
  it('adds a first rating to the user, the movie and the global stats', () => {
    const { changes, outcomes } = applyRatings(empty(), [ev('a', 7, 2, 4, 1000)], BATCH_TIME);
    expect(outcomes).toEqual(['applied']);
    expect(changes.users).toEqual([
      {
        userId: 7,
        ratingCount: 1,
        ratingSum: 4,
        lastActive: 1000,
        recent: [{ movieId: 2, rating: 4, eventTime: 1000 }],
        genres: { Comedy: { count: 1, sum: 4 }, Drama: { count: 1, sum: 4 } },
        updatedAt: BATCH_TIME,
      },
    ]);
    // With the movies' counts as read (as a one-request store asks), the mean after the batch too.
    expect(changes.movies).toEqual([{ movieId: 2, ratingCount: 1, ratingSum: 4, bayesianMean: 4 }]);
    expect(changes.global).toEqual({ ratingCount: 1, ratingSum: 4 });
    // The prior of the Bayesian means is the global mean after the batch: 4, from this one rating.
    expect(changes.priorMean).toBe(4);
    expect(merge(empty(), changes).movies.get(2)).toEqual({
      movieId: 2,
      ratingCount: 1,
      ratingSum: 4,
      bayesianMean: 4,
      updatedAt: BATCH_TIME,
    });
  });

  it('replaces a rating with a newer one without counting it twice', () => {
    const before = merge(empty(), applyRatings(empty(), [ev('a', 7, 1, 2, 1000)], BATCH_TIME).changes);
    const { changes, outcomes } = applyRatings(before, [ev('b', 7, 1, 5, 2000)], BATCH_TIME);
    expect(outcomes).toEqual(['applied']);
    expect(changes.users[0]).toMatchObject({ ratingCount: 1, ratingSum: 5, lastActive: 2000, genres: { Comedy: { count: 1, sum: 5 } } });
    expect(changes.users[0]!.recent).toEqual([{ movieId: 1, rating: 5, eventTime: 2000 }]);
    // The movie and the global stats change by the difference: no new rating, 3 more points.
    expect(changes.movies).toEqual([{ movieId: 1, ratingCount: 0, ratingSum: 3, bayesianMean: 5 }]);
    expect(changes.global).toEqual({ ratingCount: 0, ratingSum: 3 });
    const after = merge(before, changes);
    expect(after.movies.get(1)).toMatchObject({ ratingCount: 1, ratingSum: 5, bayesianMean: changes.movies[0]!.bayesianMean });
    expect(after.global).toEqual({ ratingCount: 1, ratingSum: 5 });
  });

  it('never lets an older event overwrite a newer rating', () => {
    const first = applyRatings(empty(), [ev('new', 7, 1, 5, 2000)], BATCH_TIME);
    const { changes, outcomes } = applyRatings(merge(empty(), first.changes), [ev('old', 7, 1, 1, 1000)], BATCH_TIME);
    expect(outcomes).toEqual(['superseded']);
    expect(changes.ratings).toEqual([]);
    expect(changes.users).toEqual([]);
  });

  it('recognises a redelivered event as a duplicate, in the same batch or a later one', () => {
    const e = ev('a', 7, 1, 4, 1000);
    const first = applyRatings(empty(), [e, e], BATCH_TIME);
    expect(first.outcomes).toEqual(['applied', 'duplicate']);
    const again = applyRatings(merge(empty(), first.changes), [e], BATCH_TIME);
    expect(again.outcomes).toEqual(['duplicate']);
    expect(again.changes.ratings).toEqual([]);
  });

  it('applies an event that reuses an id with another value and a later time, as silver does', () => {
    const first = applyRatings(empty(), [ev('k', 7, 1, 4, 1000)], BATCH_TIME);
    const reuse = applyRatings(merge(empty(), first.changes), [ev('k', 7, 1, 0.5, 2000)], BATCH_TIME);
    expect(reuse.outcomes).toEqual(['applied']);
    expect(reuse.changes.users[0]).toMatchObject({ ratingCount: 1, ratingSum: 0.5 });
    expect(reuse.changes.ratings).toEqual([ev('k', 7, 1, 0.5, 2000)]);
    // An older reuse of the id loses, as any older event does.
    expect(applyRatings(merge(empty(), first.changes), [ev('k', 7, 1, 2, 500)], BATCH_TIME).outcomes).toEqual(['superseded']);
  });

  it('counts a resend with a new id but the same time and value as a duplicate', () => {
    const first = applyRatings(empty(), [ev('user-events-0-1', 7, 1, 4, 1000)], BATCH_TIME);
    const again = applyRatings(merge(empty(), first.changes), [ev('user-events-0-9', 7, 1, 4, 1000)], BATCH_TIME);
    expect(again.outcomes).toEqual(['duplicate']);
    // Nothing changes but the id on record, the greater one, as in any other order of the two.
    expect(again.changes.ratings).toEqual([ev('user-events-0-9', 7, 1, 4, 1000)]);
    expect(again.changes.users).toEqual([]);
    expect(again.changes.movies).toEqual([]);
  });

  it('keeps the tie-break by id across a resend: a0, e1 and a2 at one time end on e1', () => {
    const events = [ev('a0', 2, 1, 1, 3), ev('e1', 2, 1, 1, 3), ev('a2', 2, 1, 0.5, 3)];
    for (const order of [events, [...events].reverse(), [events[1]!, events[0]!, events[2]!]]) {
      const { changes } = applyRatings(empty(), order, BATCH_TIME);
      expect(changes.ratings).toEqual([ev('e1', 2, 1, 1, 3)]);
      expect(changes.users[0]).toMatchObject({ ratingCount: 1, ratingSum: 1 });
    }
  });

  it('breaks a tie of event times by event id, whatever the arrival order', () => {
    const a = ev('a', 7, 1, 2, 1000);
    const b = ev('b', 7, 1, 4, 1000);
    for (const order of [[a, b], [b, a]]) {
      const { changes } = applyRatings(empty(), order, BATCH_TIME);
      expect(changes.ratings).toEqual([b]);
      expect(changes.users[0]).toMatchObject({ ratingCount: 1, ratingSum: 4 });
    }
  });

  it('keeps the latest RECENT_RATINGS ratings, newest first', () => {
    const events = Array.from({ length: RECENT_RATINGS + 5 }, (_, i) => ev(`e${i}`, 1, 100 + i, 3, 1000 + i));
    const { changes } = applyRatings(empty(), events, BATCH_TIME);
    const recent = changes.users[0]!.recent;
    expect(recent).toHaveLength(RECENT_RATINGS);
    expect(recent[0]).toEqual({ movieId: 100 + RECENT_RATINGS + 4, rating: 3, eventTime: 1000 + RECENT_RATINGS + 4 });
    expect(recent.map((r) => r.eventTime)).toEqual([...recent.map((r) => r.eventTime)].sort((x, y) => y - x));
  });

  it('computes the Bayesian mean with the prior weight and the global mean', () => {
    const events = [ev('a', 1, 1, 5, 1), ev('b', 2, 1, 5, 1), ev('c', 3, 3, 1, 1), ev('d', 4, 3, 2, 1)];
    const { changes } = applyRatings(empty(), events, BATCH_TIME);
    const globalMean = (5 + 5 + 1 + 2) / 4;
    const movie1 = merge(empty(), changes).movies.get(1)!;
    expect(movie1.bayesianMean).toBeCloseTo((BAYES_PRIOR_WEIGHT * globalMean + 10) / (BAYES_PRIOR_WEIGHT + 2), 12);
  });

  it('counts a movie missing from the catalog under no genre', () => {
    const { changes } = applyRatings(empty(), [ev('a', 1, 999, 4, 1)], BATCH_TIME);
    expect(changes.users[0]!.genres).toEqual({});
    expect(changes.movies[0]!.ratingCount).toBe(1);
  });
});

describe('order independence (property)', () => {
  const eventArb = fc.record({
    eventId: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
    userId: fc.integer({ min: 1, max: 3 }),
    movieId: fc.integer({ min: 1, max: 3 }),
    rating: fc.integer({ min: 1, max: 10 }).map((n) => n / 2),
    eventTime: fc.integer({ min: 1, max: 5 }),
  });
  // Event ids are unique per event in the contract: make them so.
  const batchArb = fc
    .array(eventArb, { maxLength: 25 })
    .map((events) => events.map((e, i) => ({ ...e, eventId: `${e.eventId}${i}` })));

  /** Applies the events batch by batch, as a stream of MSK batches would. */
  function run(batches: RatingEvent[][]): State {
    let state = empty();
    for (const b of batches) state = merge(state, applyRatings(state, b, BATCH_TIME).changes);
    return state;
  }

  /**
   * The state to compare. A movie's Bayesian mean uses the global mean as of the movie's last
   * update, so it depends on arrival order by design (the daily batch refreshes it); the counts and
   * sums it is made of must not.
   */
  function canonical(s: State) {
    const sortBy = <T>(m: ReadonlyMap<number | string, T>) => [...m.entries()].sort(([a], [b]) => String(a).localeCompare(String(b)));
    const movies = sortBy(s.movies).map(([id, { bayesianMean: _, ...rest }]) => [id, rest]);
    return { users: sortBy(s.users), movies, ratings: sortBy(s.ratings), global: s.global };
  }

  it('gives the same state for any order, any batching and any redelivery of the same events', () => {
    fc.assert(
      fc.property(batchArb, fc.infiniteStream(fc.nat()), fc.nat(), (events, randoms, cut) => {
        const clean = run([events]);
        // Shuffle, then replay a prefix as a redelivery, then split into two batches.
        const shuffled = [...events];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = randoms.next().value % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const replayed = [...shuffled, ...shuffled.slice(0, cut % (shuffled.length + 1))];
        const at = cut % (replayed.length + 1);
        const messy = run([replayed.slice(0, at), replayed.slice(at)]);
        expect(canonical(messy)).toEqual(canonical(clean));
      }),
      { numRuns: 1000 },
    );
  });

  it('accounts for every event exactly once', () => {
    fc.assert(
      fc.property(batchArb, (events) => {
        const { outcomes } = applyRatings(empty(), [...events, ...events], BATCH_TIME);
        expect(outcomes).toHaveLength(events.length * 2);
        expect(outcomes.slice(events.length).every((o) => o !== 'applied')).toBe(true);
      }),
    );
  });
});
