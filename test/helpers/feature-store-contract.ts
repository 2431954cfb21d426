import { describe, expect, it } from 'vitest';
import { MAX_ID, type RatingEvent } from '../../lambdas/core/event-contract';
import { applyRatings, type MovieFeatures, type UserFeatures } from '../../lambdas/core/features';
import type { FeatureStore, SilverFeatures } from '../../lambdas/core/ports';
import { ratingEvent as ev } from './msk';

export const CONTRACT_BATCH_TIME = Date.UTC(2026, 10, 24, 12);
/** The silver date a contract's reconcile reads: it has no ratings to restore. */
export const CONTRACT_SILVER_DATE = '2026-11-23';
const CATALOG = [
  { movieId: 1, title: 'One', genres: ['Comedy'] },
  { movieId: 2, title: 'Two', genres: ['Drama', 'War'] },
];

/** Consumes events as the consume handler does: snapshot, applyRatings, write. */
export async function applyTo(store: FeatureStore, events: RatingEvent[]): Promise<void> {
  const snapshot = await store.readSnapshot({
    userIds: [...new Set(events.map((e) => e.userId))],
    movieIds: [...new Set(events.map((e) => e.movieId))],
    pairs: [...new Map(events.map((e) => [`${e.userId}:${e.movieId}`, e])).values()],
  });
  await store.writeChanges(applyRatings(snapshot, events, CONTRACT_BATCH_TIME).changes);
}

/** A store under test, and how its silver partition of CONTRACT_SILVER_DATE is given these features. */
export interface ContractStore {
  store: FeatureStore;
  silver(users: readonly UserFeatures[], movies: readonly MovieFeatures[]): Promise<SilverFeatures>;
}

/** A silver partition as readers of the features given, for a store that reads it through them. */
export function silverReaders(users: readonly UserFeatures[], movies: readonly MovieFeatures[], date = CONTRACT_SILVER_DATE): SilverFeatures {
  return { date, users: async () => users, movies: async () => movies };
}

/**
 * What every FeatureStore must do, run against each adapter: SQLite here, DynamoDB in AWS. `make`
 * returns a fresh, empty store.
 */
export function describeFeatureStoreContract(name: string, make: () => Promise<ContractStore>): void {
  describe(`${name}: the FeatureStore contract`, () => {
    let silver: ContractStore['silver'];
    async function store(): Promise<FeatureStore> {
      const made = await make();
      silver = made.silver;
      await made.store.upsertMovies(CATALOG);
      return made.store;
    }

    it('round-trips features, ratings and catalog genres', async () => {
      const s = await store();
      await applyTo(s, [ev('a', 7, 1, 4, 1000), ev('b', 7, 2, 2, 2000)]);
      const snapshot = await s.readSnapshot({ userIds: [7], movieIds: [1, 2, 3], pairs: [{ userId: 7, movieId: 2 }] });
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
        updatedAt: CONTRACT_BATCH_TIME,
      });
      expect(snapshot.genres.get(2)).toEqual(['Drama', 'War']);
      expect(snapshot.genres.has(3)).toBe(false);
      expect(snapshot.ratings.get('7:2')).toEqual(ev('b', 7, 2, 2, 2000));
      expect(snapshot.global).toEqual({ ratingCount: 2, ratingSum: 6 });
      const movies = await s.getMovieFeatures([1, 3]);
      expect(movies.get(1)).toEqual({
        movieId: 1,
        ratingCount: 1,
        ratingSum: 4,
        bayesianMean: (10 * 3 + 4) / 11,
        updatedAt: CONTRACT_BATCH_TIME,
      });
      expect(movies.has(3)).toBe(false);
    });

    it('returns a profile with every current rating, and nothing for an unknown user', async () => {
      const s = await store();
      await applyTo(s, [ev('a', 7, 1, 4, 1000), ev('b', 7, 2, 3, 1500)]);
      await applyTo(s, [ev('c', 7, 1, 2, 3000)]);
      const profile = await s.getUserProfile(7);
      expect(profile?.features).toMatchObject({ ratingCount: 2, ratingSum: 5, lastActive: 3000 });
      expect(profile?.ratings.map((r) => [r.movieId, r.rating]).sort()).toEqual([
        [1, 2],
        [2, 3],
      ]);
      expect(await s.getUserProfile(8)).toBeUndefined();
    });

    it('reads only the latest ratings asked for, newest first, and finds older ones by lookup', async () => {
      const s = await store();
      await applyTo(s, [ev('a', 7, 1, 4, 1000), ev('b', 7, 2, 3, 3000), ev('c', 7, 3, 5, 3000), ev('d', 7, 4, 1, 2000)]);
      const profile = await s.getUserProfile(7, 2);
      expect(profile?.features.ratingCount).toBe(4);
      // Ties in time: the lower movie id first.
      expect(profile?.ratings.map((r) => r.movieId)).toEqual([2, 3]);
      expect((await s.getUserProfile(7))?.ratings.map((r) => r.movieId)).toEqual([2, 3, 4, 1]);
      expect([...(await s.ratedAmong(7, [1, 5, 4, 1, 9]))].sort()).toEqual([1, 4]);
      expect((await s.ratedAmong(8, [1, 2])).size).toBe(0);
    });

    it('gives ranking the same latest ratings, newest first, each with its movie and rating', async () => {
      const s = await store();
      await applyTo(s, [ev('a', 7, 1, 4, 1000), ev('b', 7, 2, 3.5, 3000), ev('c', 7, MAX_ID, 5, 3000), ev('d', 7, 4, 0.5, 2000)]);
      for (const latest of [2, 10]) {
        const full = (await s.getUserProfile(7, latest))!;
        const ranking = (await s.getRankingProfile(7, latest))!;
        const { userId, ratingCount, genres } = full.features;
        expect(ranking.features).toMatchObject({ userId, ratingCount, genres });
        expect(ranking.ratings.map((r) => ({ movieId: r.movieId, rating: r.rating }))).toEqual(
          full.ratings.map((r) => ({ movieId: r.movieId, rating: r.rating })),
        );
      }
      expect((await s.getRankingProfile(7, 10))!.ratings).toEqual([
        { movieId: 2, rating: 3.5 },
        { movieId: MAX_ID, rating: 5 },
        { movieId: 4, rating: 0.5 },
        { movieId: 1, rating: 4 },
      ].map((r) => expect.objectContaining(r)));
      expect(await s.getRankingProfile(8, 10)).toBeUndefined();
    });

    it('never replaces a rating with an older one, even from a writer that read a stale snapshot', async () => {
      const s = await store();
      await applyTo(s, [ev('new', 7, 1, 5, 2000)]);
      await s.writeChanges({
        ratings: [ev('old', 7, 1, 1, 1000)],
        users: [],
        movies: [],
        global: { ratingCount: 0, ratingSum: 0 },
        batchTime: CONTRACT_BATCH_TIME,
        priorMean: 3,
      });
      expect((await s.getUserProfile(7))?.ratings).toEqual([ev('new', 7, 1, 5, 2000)]);
    });

    it('adds concurrent increments of a movie and of the global stats without losing any', async () => {
      const s = await store();
      await Promise.all(Array.from({ length: 10 }, (_, i) => applyTo(s, [ev(`e${i}`, 100 + i, 1, 4, 1000)])));
      expect((await s.getMovieFeatures([1])).get(1)).toMatchObject({ ratingCount: 10, ratingSum: 40 });
      expect((await s.readSnapshot({ userIds: [], movieIds: [], pairs: [] })).global).toEqual({ ratingCount: 10, ratingSum: 40 });
    });

    it('reconciles with batch features, keeping those changed after the run', async () => {
      const s = await store();
      await applyTo(s, [ev('a', 7, 1, 4, 1000)]);
      const user = { userId: 7, ratingCount: 9, ratingSum: 9, lastActive: 1, recent: [], genres: {}, updatedAt: 0 };
      const movie = { movieId: 1, ratingCount: 9, ratingSum: 9, bayesianMean: 1, updatedAt: 0 };
      expect(await s.reconcile(await silver([user], [movie]), CONTRACT_BATCH_TIME - 1)).toEqual({ replaced: 0, kept: 2, unchanged: 0 });
      expect((await s.getUserProfile(7))?.features.ratingCount).toBe(1);
      expect(await s.reconcile(await silver([user, { ...user, userId: 9 }], [movie]), CONTRACT_BATCH_TIME)).toEqual({ replaced: 3, kept: 0, unchanged: 0 });
      expect((await s.getUserProfile(7))?.features).toMatchObject({ ratingCount: 9, updatedAt: CONTRACT_BATCH_TIME });
      expect((await s.readSnapshot({ userIds: [9], movieIds: [1], pairs: [] })).users.get(9)?.ratingCount).toBe(9);
      expect((await s.getMovieFeatures([1])).get(1)).toMatchObject({ ratingCount: 9, bayesianMean: 1 });
      // Features equal to the batch's are not written: their time stays that of their last change.
      const later = CONTRACT_BATCH_TIME + 5;
      const genres = { Drama: { count: 2, sum: 7 }, Comedy: { count: 1, sum: 3 } };
      const reordered = { Comedy: { count: 1, sum: 3 }, Drama: { count: 2, sum: 7 } };
      expect(await s.reconcile(await silver([{ ...user, genres }], [movie]), later)).toEqual({ replaced: 1, kept: 0, unchanged: 1 });
      expect(await s.reconcile(await silver([{ ...user, genres: reordered }, { ...user, userId: 9 }], [movie]), later)).toEqual({ replaced: 0, kept: 0, unchanged: 3 });
      expect((await s.getMovieFeatures([1])).get(1)?.updatedAt).toBe(CONTRACT_BATCH_TIME);
      expect((await s.getUserProfile(7))?.features).toMatchObject({ genres, updatedAt: later });
    });

    it('updates catalog entries in place, keeping the movie features', async () => {
      const s = await store();
      await applyTo(s, [ev('a', 7, 1, 4, 1000)]);
      await s.upsertMovies([{ movieId: 1, title: 'One (renamed)', genres: ['Horror'] }]);
      expect((await s.readSnapshot({ userIds: [], movieIds: [1], pairs: [] })).genres.get(1)).toEqual(['Horror']);
      expect((await s.getMovieFeatures([1])).get(1)?.ratingCount).toBe(1);
    });
  });
}
