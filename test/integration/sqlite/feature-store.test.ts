import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyRatings } from '../../../lambdas/core/features';
import type { FeatureStore } from '../../../lambdas/core/ports';
import { openDatabase, type Db } from '../../../local/sqlite/database';
import { SqliteFeatureStore } from '../../../local/sqlite/sqlite-feature-store';
import { CONTRACT_SILVER_DATE, describeFeatureStoreContract } from '../../helpers/feature-store-contract';
import { useDatabase, writeSilverFeatures } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

const database = useDatabase();

describeFeatureStoreContract('SqliteFeatureStore (a database file)', async () => {
  const db = database();
  return { store: new SqliteFeatureStore(db), silver: async (users, movies) => writeSilverFeatures(db, CONTRACT_SILVER_DATE, users, movies) };
});

describe('SqliteFeatureStore caches', () => {
  const tempDir = useTempDir();
  const open: Db[] = [];
  afterEach(() => open.splice(0).forEach((db) => db.close()));

  async function rate(store: FeatureStore, userId: number, movieId: number, rating: number, time: number): Promise<void> {
    const keys = { userIds: [userId], movieIds: [movieId], pairs: [{ userId, movieId }] };
    const { changes } = applyRatings(await store.readSnapshot(keys), [{ eventId: `e${time}`, userId, movieId, rating, eventTime: time }], time);
    await store.writeChanges(changes);
  }

  it('sees what another connection committed (a second process on the same data folder)', async () => {
    const file = join(tempDir(), 'movierec.db');
    const [a, b] = [openDatabase(file), openDatabase(file)];
    open.push(a, b);
    const [first, second] = [new SqliteFeatureStore(a), new SqliteFeatureStore(b)];
    await first.upsertMovies([{ movieId: 10, title: 'Ten', genres: ['Drama'] }]);
    await rate(first, 1, 10, 4, 1000);
    // The second process changes the user and the catalog...
    await second.upsertMovies([{ movieId: 10, title: 'Ten', genres: ['Comedy'] }]);
    await rate(second, 1, 11, 2, 2000);
    // ...and the first, which has both cached, reads the new state.
    const snapshot = await first.readSnapshot({ userIds: [1], movieIds: [10], pairs: [] });
    expect(snapshot.users.get(1)).toMatchObject({ ratingCount: 2, ratingSum: 6 });
    expect(snapshot.genres.get(10)).toEqual(['Comedy']);
    await rate(first, 1, 12, 5, 3000);
    expect((await second.getUserProfile(1))?.features).toMatchObject({ ratingCount: 3, ratingSum: 11 });
  });

  it("writes a user's genres in name order, whatever order the batch left them in", async () => {
    const db = openDatabase(join(tempDir(), 'movierec.db'));
    open.push(db);
    const store = new SqliteFeatureStore(db);
    await store.upsertMovies([{ movieId: 10, title: 'Ten', genres: ['Drama'] }, { movieId: 11, title: 'Eleven', genres: ['Comedy', 'Action'] }]);
    const genresText = () => db.prepare('SELECT genres FROM user_features WHERE user_id = 1').pluck().get();
    await rate(store, 1, 10, 4, 1000);
    // The batch adds the user's new genres after Drama; the cached user keeps that order.
    await rate(store, 1, 11, 2, 2000);
    expect(genresText()).toBe('{"Action":{"count":1,"sum":2},"Comedy":{"count":1,"sum":2},"Drama":{"count":1,"sum":4}}');
    await rate(store, 1, 12, 5, 3000);
    expect(genresText()).toBe('{"Action":{"count":1,"sum":2},"Comedy":{"count":1,"sum":2},"Drama":{"count":1,"sum":4}}');
  });

  it('ranks with what another connection committed, whether the user is cached or not', async () => {
    const file = join(tempDir(), 'movierec.db');
    const [a, b] = [openDatabase(file), openDatabase(file)];
    open.push(a, b);
    const [writer, server] = [new SqliteFeatureStore(a), new SqliteFeatureStore(b)];
    await writer.upsertMovies([{ movieId: 10, title: 'Ten', genres: ['Drama'] }, { movieId: 11, title: 'Eleven', genres: ['Comedy'] }]);
    await rate(writer, 1, 10, 4, 1000);
    // Read from the row: the server's connection never wrote this user.
    expect((await server.getRankingProfile(1, 10))?.features).toEqual({ userId: 1, ratingCount: 1, genres: { Drama: { count: 1, sum: 4 } } });
    // The server's own cache, filled by the full profile, then emptied by the writer's commit.
    await server.getUserProfile(1);
    await rate(writer, 1, 11, 2, 2000);
    expect((await server.getRankingProfile(1, 10))?.features).toMatchObject({ ratingCount: 2, genres: { Drama: { count: 1, sum: 4 }, Comedy: { count: 1, sum: 2 } } });
    expect(await server.getRankingProfile(2, 10)).toBeUndefined();
  });

  it('keeps no change of a batch whose write failed', async () => {
    const db = openDatabase(join(tempDir(), 'movierec.db'));
    open.push(db);
    const store = new SqliteFeatureStore(db);
    await rate(store, 1, 10, 4, 1000);
    const keys = { userIds: [1], movieIds: [11], pairs: [{ userId: 1, movieId: 11 }] };
    const { changes } = applyRatings(await store.readSnapshot(keys), [{ eventId: 'x', userId: 1, movieId: 11, rating: 5, eventTime: 2000 }], 2000);
    db.exec("CREATE TRIGGER fail BEFORE INSERT ON movie_features BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    await expect(store.writeChanges(changes)).rejects.toThrow('disk full');
    db.exec('DROP TRIGGER fail');
    expect((await store.readSnapshot(keys)).users.get(1)).toMatchObject({ ratingCount: 1, ratingSum: 4 });
  });
});
