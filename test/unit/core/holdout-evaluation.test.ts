import { describe, expect, it } from 'vitest';
import { evaluateOnLatestRatings, HOLDOUT_MIN_RATINGS, type TimedInteractions } from '../../../lambdas/core/holdout-evaluation';

const catalog = Array.from({ length: 12 }, (_, i) => ({ movieId: i + 1, title: `Movie ${i + 1}`, genres: ['Drama'] }));

/** Each user rates the given movies in this order, a minute apart. */
function ratings(users: Record<number, number[]>): TimedInteractions {
  const rows = Object.entries(users).flatMap(([u, movies]) => movies.map((m, i) => [Number(u), m, Date.UTC(2026, 10, 1) + i * 60_000] as const));
  return {
    userIds: Int32Array.from(rows, (r) => r[0]),
    movieIds: Int32Array.from(rows, (r) => r[1]),
    eventTimes: Float64Array.from(rows, (r) => r[2]),
  };
}

describe('evaluateOnLatestRatings', () => {
  // Two tastes: movies 1-6 rated together, and 7-12, each user's in another order, so that every
  // movie is some user's latest and others' earlier rating.
  const users: Record<number, number[]> = {};
  for (let u = 1; u <= 40; u++) {
    const taste = u % 2 ? [1, 2, 3, 4, 5, 6] : [7, 8, 9, 10, 11, 12];
    const turn = (u >> 1) % 6;
    users[u] = [...taste.slice(turn), ...taste.slice(0, turn)];
  }

  it("ranks each user's held-out latest movie by a model that never saw it, and finds it when tastes are clear", () => {
    const m = evaluateOnLatestRatings(ratings(users), catalog)!;
    expect(m.users).toBe(40);
    expect(m.k).toBe(10);
    expect(m.recall).toBe(1);
    expect(m.ndcg).toBeGreaterThan(0.5);
    expect(m.precision).toBeCloseTo(0.1, 4);
    // Popularity cannot tell the two tastes apart: the model must beat it here.
    expect(m.popularityNdcg).toBeLessThan(m.ndcg);
  });

  it('scores lower when the held-out movies are of the other taste', () => {
    const crossed = Object.fromEntries(Object.entries(users).map(([u, list]) => [u, [...list, Number(u) % 2 ? 7 : 1]]));
    expect(evaluateOnLatestRatings(ratings(crossed), catalog)!.ndcg).toBeLessThan(evaluateOnLatestRatings(ratings(users), catalog)!.ndcg);
  });

  it('holds out the latest rating by event time, not by the order of the rows', () => {
    const data = ratings(users);
    const reversed: TimedInteractions = { userIds: data.userIds.reverse(), movieIds: data.movieIds.reverse(), eventTimes: data.eventTimes.reverse() };
    expect({ ...evaluateOnLatestRatings(reversed, catalog)!, seconds: 0 }).toEqual({ ...evaluateOnLatestRatings(ratings(users), catalog)!, seconds: 0 });
  });

  it('measures at most the users asked, the same ones on every run, and none with too few ratings', () => {
    expect(evaluateOnLatestRatings(ratings(users), catalog, 7)!.users).toBe(7);
    const first = evaluateOnLatestRatings(ratings(users), catalog, 7)!;
    expect({ ...evaluateOnLatestRatings(ratings(users), catalog, 7)!, seconds: 0 }).toEqual({ ...first, seconds: 0 });
    const few = Object.fromEntries(Object.entries(users).map(([u, list]) => [u, list.slice(0, HOLDOUT_MIN_RATINGS - 1)]));
    expect(evaluateOnLatestRatings(ratings(few), catalog)).toBeUndefined();
  });
});
