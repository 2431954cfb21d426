import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyRatings } from '../../../lambdas/core/features';
import type { RatingEvent } from '../../../lambdas/core/event-contract';
import { ratingEvent as ev } from '../../helpers/msk';
import { openDatabase, type Db } from '../../../local/sqlite/database';
import { SqliteFeatureStore } from '../../../local/sqlite/sqlite-feature-store';
import { useTempDir } from '../../helpers/temp-dir';


const BATCH_TIME = Date.UTC(2026, 10, 24, 12);

describe('SqliteFeatureStore', () => {
  const tempDir = useTempDir();
  let db: Db;
  let store: SqliteFeatureStore;

  beforeEach(async () => {
    db = openDatabase(join(tempDir(), 'movierec.db'));
    store = new SqliteFeatureStore(db);
    await store.upsertMovies([
      { movieId: 1, title: 'One', genres: ['Comedy'] },
      { movieId: 2, title: 'Two', genres: ['Drama', 'War'] },
    ]);
    return () => db.close();
  });

  async function apply(events: RatingEvent[]) {
    const snapshot = await store.readSnapshot({
      userIds: [...new Set(events.map((e) => e.userId))],
      movieIds: [...new Set(events.map((e) => e.movieId))],
      pairs: events.map((e) => ({ userId: e.userId, movieId: e.movieId })),
    });
    const result = applyRatings(snapshot, events, BATCH_TIME);
    await store.writeChanges(result.changes);
    return result;
  }

  it('round-trips features, ratings and catalog genres through the database', async () => {
    await apply([ev('a', 7, 1, 4, 1000), ev('b', 7, 2, 2, 2000)]);
    const snapshot = await store.readSnapshot({ userIds: [7], movieIds: [1, 2, 3], pairs: [{ userId: 7, movieId: 2 }] });
    expect(snapshot.users.get(7)).toEqual({
      userId: 7,
      ratingCount: 2,
      ratingSum: 6,
      lastActive: 2000,
      recent: [
        { movieId: 2, rating: 2, eventTime: 2000 },
        { movieId: 1, rating: 4, eventTime: 1000 },
      ],
      genres: { Comedy: { count: 1, sum: 4 }, Drama: { count: 1, sum: 2 }, War: { count: 1, sum: 2 } },
      updatedAt: BATCH_TIME,
    });
    expect((await store.getMovieFeatures([1, 3])).get(1)).toEqual({
      movieId: 1,
      ratingCount: 1,
      ratingSum: 4,
      bayesianMean: (10 * 3 + 4) / 11,
      updatedAt: BATCH_TIME,
    });
    expect((await store.getMovieFeatures([3])).size).toBe(0);
    expect(snapshot.genres.get(2)).toEqual(['Drama', 'War']);
    expect(snapshot.genres.has(3)).toBe(false);
    expect(snapshot.ratings.get('7:2')).toEqual(ev('b', 7, 2, 2, 2000));
    expect(snapshot.global).toEqual({ ratingCount: 2, ratingSum: 6 });
  });

  it('refuses, in SQL, to replace a rating with an older one even from a stale writer', async () => {
    await apply([ev('new', 7, 1, 5, 2000)]);
    // A writer that read before the newer rating landed.
    await store.writeChanges({
      ratings: [ev('old', 7, 1, 1, 1000)],
      users: [],
      movies: [],
      global: { ratingCount: 0, ratingSum: 0 },
      batchTime: BATCH_TIME,
      priorMean: 3,
    });
    const profile = await store.getUserProfile(7);
    expect(profile?.ratings).toEqual([ev('new', 7, 1, 5, 2000)]);
  });

  it('returns a user profile with every current rating, and nothing for an unknown user', async () => {
    await apply([ev('a', 7, 1, 4, 1000), ev('b', 7, 2, 3, 1500), ev('c', 7, 1, 2, 3000)]);
    const profile = await store.getUserProfile(7);
    expect(profile?.features).toMatchObject({ ratingCount: 2, ratingSum: 5, lastActive: 3000 });
    expect(profile?.ratings.map((r) => [r.movieId, r.rating])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(await store.getUserProfile(8)).toBeUndefined();
  });

  it('reconciles with batch features, keeping those changed after the batch as-of time', async () => {
    await apply([ev('a', 7, 1, 4, 1000), ev('b', 8, 2, 3, 1000)]);
    const silverUser = (userId: number) => ({
      userId,
      ratingCount: 9,
      ratingSum: 9,
      lastActive: 1,
      recent: [],
      genres: {},
      updatedAt: 0,
    });
    const silverMovie = { movieId: 1, ratingCount: 9, ratingSum: 9, bayesianMean: 1, updatedAt: 0 };
    // As of a time before the consumer's batch: the online features are newer and stay.
    expect(await store.reconcile([silverUser(7)], [silverMovie], BATCH_TIME - 1)).toEqual({ replaced: 0, kept: 2 });
    expect((await store.getUserProfile(7))?.features.ratingCount).toBe(1);
    // As of a later time: replaced; and a user only the batch knows is added.
    expect(await store.reconcile([silverUser(7), silverUser(9)], [silverMovie], BATCH_TIME)).toEqual({ replaced: 3, kept: 0 });
    expect((await store.getUserProfile(7))?.features).toMatchObject({ ratingCount: 9, updatedAt: BATCH_TIME });
    const snapshot = await store.readSnapshot({ userIds: [9], movieIds: [1], pairs: [] });
    expect(snapshot.users.get(9)?.ratingCount).toBe(9);
    expect((await store.getMovieFeatures([1])).get(1)?.ratingCount).toBe(9);
  });

  it('adds movie and global increments to what is stored, as concurrent consumers would', async () => {
    await apply([ev('a', 7, 1, 4, 1000)]);
    await apply([ev('b', 8, 1, 2, 1000)]);
    await store.writeChanges({
      ratings: [],
      users: [],
      movies: [{ movieId: 1, ratingCount: 1, ratingSum: 3 }],
      global: { ratingCount: 1, ratingSum: 3 },
      batchTime: BATCH_TIME + 5,
      priorMean: 3,
    });
    expect((await store.getMovieFeatures([1])).get(1)).toEqual({
      movieId: 1,
      ratingCount: 3,
      ratingSum: 9,
      bayesianMean: (10 * 3 + 9) / 13,
      updatedAt: BATCH_TIME + 5,
    });
    expect((await store.readSnapshot({ userIds: [], movieIds: [], pairs: [] })).global).toEqual({ ratingCount: 3, ratingSum: 9 });
  });

  it('updates catalog entries in place', async () => {
    await store.upsertMovies([{ movieId: 1, title: 'One (renamed)', genres: ['Horror'] }]);
    const snapshot = await store.readSnapshot({ userIds: [], movieIds: [1], pairs: [] });
    expect(snapshot.genres.get(1)).toEqual(['Horror']);
  });
});
