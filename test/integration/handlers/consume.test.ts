import { beforeEach, describe, expect, it } from 'vitest';
import { createConsumeHandler } from '../../../lambdas/handlers/consume';
import type { Db } from '../../../local/sqlite/database';
import type { SqliteFeatureStore } from '../../../local/sqlite/sqlite-feature-store';
import { KAFKA_TIME, mskEvent, mskRecord, rating } from '../../helpers/msk';
import { BRONZE_ROWS, LAKE_OBJECT_ROWS, recordingLogger, sqliteStores, type RecordingLogger } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

describe('consume handler on SQLite', () => {
  const tempDir = useTempDir();
  let db: Db;
  let features: SqliteFeatureStore;
  let logger: RecordingLogger;
  let consume: ReturnType<typeof createConsumeHandler>;

  beforeEach(async () => {
    const stores = sqliteStores(tempDir());
    ({ db, features } = stores);
    logger = recordingLogger();
    await features.upsertMovies([
      { movieId: 1, title: 'One', genres: ['Comedy'] },
      { movieId: 2, title: 'Two', genres: ['Drama'] },
    ]);
    consume = createConsumeHandler({ lake: stores.lake, features, logger });
    return () => db.close();
  });

  /** Everything the consumer writes, to compare states. */
  function state() {
    const all = (sql: string) => db.prepare(sql).all();
    return {
      objects: all(LAKE_OBJECT_ROWS),
      bronze: all(BRONZE_ROWS),
      quarantine: all('SELECT * FROM quarantine_records ORDER BY object_key, kafka_offset'),
      ratings: all('SELECT * FROM ratings ORDER BY user_id, movie_id'),
      users: all('SELECT * FROM user_features ORDER BY user_id'),
      movies: all('SELECT * FROM movie_features ORDER BY movie_id'),
      global: all('SELECT * FROM global_stats'),
    };
  }

  const batch = () =>
    mskEvent([
      mskRecord(rating(10, 1, 4, '2026-11-20T10:00:00Z', 'a'), 100, 0),
      mskRecord(rating(10, 2, 3, '2026-11-20T11:00:00Z'), 101, 0),
      mskRecord('{"type":"rating","user_id":10', 102, 0),
      mskRecord(rating(11, 1, 5, Date.UTC(2026, 10, 21), 'c'), 7, 1),
      mskRecord(rating(11, 2, 9, Date.UTC(2026, 10, 21), 'd'), 8, 1),
    ]);

  it('writes one bronze object per topic-partition, quarantines bad records and updates features', async () => {
    const counts = await consume(batch());
    expect(counts).toEqual({ received: 5, applied: 3, duplicate: 0, superseded: 0, quarantined: 2 });

    const s = state();
    expect(s.objects.map((o) => (o as { object_key: string }).object_key)).toEqual([
      'bronze/events/dt=2026-11-24/hour=12/user-events-0-100-102.jsonl.gz',
      'bronze/events/dt=2026-11-24/hour=12/user-events-1-7-8.jsonl.gz',
      'bronze/quarantine/dt=2026-11-24/hour=12/user-events-0-100-102.jsonl.gz',
      'bronze/quarantine/dt=2026-11-24/hour=12/user-events-1-7-8.jsonl.gz',
    ]);
    expect(s.bronze.map((b) => (b as { event_id: string }).event_id)).toEqual(['a', 'user-events-0-101', 'c']);
    expect(s.quarantine.map((q) => (q as { reason: string }).reason)).toEqual([
      'value is not valid JSON',
      'rating 9 is outside 0.5-5',
    ]);
    // The quarantined value is kept byte for byte.
    expect(Buffer.from((s.quarantine[0] as { value: string }).value, 'base64').toString()).toBe('{"type":"rating","user_id":10');

    const profile = await features.getUserProfile(10);
    expect(profile?.features).toMatchObject({
      ratingCount: 2,
      ratingSum: 7,
      lastActive: Date.parse('2026-11-20T11:00:00Z'),
      genres: { Comedy: { count: 1, sum: 4 }, Drama: { count: 1, sum: 3 } },
    });
    expect((await features.getMovieFeatures([1])).get(1)).toMatchObject({ ratingCount: 2, ratingSum: 9 });
    const snap = await features.readSnapshot({ userIds: [], movieIds: [], pairs: [] });
    expect(snap.global).toEqual({ ratingCount: 3, ratingSum: 12 });
    expect(logger.lines.find((l) => l.message === 'batch consumed')?.data).toEqual(counts);
  });

  it('changes nothing when the same batch is delivered again', async () => {
    await consume(batch());
    const before = state();
    const counts = await consume(batch());
    expect(counts).toEqual({ received: 5, applied: 0, duplicate: 3, superseded: 0, quarantined: 2 });
    expect(state()).toEqual(before);
  });

  it('recognises a redelivered event in another batch by its event id', async () => {
    await consume(batch());
    const before = state().users;
    const counts = await consume(mskEvent([mskRecord(rating(10, 1, 4, '2026-11-20T10:00:00Z', 'a'), 500, 2)]));
    expect(counts.duplicate).toBe(1);
    expect(state().users).toEqual(before);
  });

  it('never lets an older event overwrite a newer rating, in any arrival order', async () => {
    const newer = rating(20, 1, 5, '2026-11-22T00:00:00Z', 'newer');
    const older = rating(20, 1, 1, '2026-11-21T00:00:00Z', 'older');
    expect(await consume(mskEvent([mskRecord(newer, 1)]))).toMatchObject({ applied: 1 });
    expect(await consume(mskEvent([mskRecord(older, 2)]))).toMatchObject({ applied: 0, superseded: 1 });
    const profile = await features.getUserProfile(20);
    expect(profile?.ratings.map((r) => [r.eventId, r.rating])).toEqual([['newer', 5]]);
    expect(profile?.features).toMatchObject({ ratingCount: 1, ratingSum: 5 });
  });

  it('survives a batch of only bad records', async () => {
    const counts = await consume(mskEvent([mskRecord('not json', 1), mskRecord('', 2)]));
    expect(counts).toEqual({ received: 2, applied: 0, duplicate: 0, superseded: 0, quarantined: 2 });
    expect(state().ratings).toEqual([]);
    expect(logger.lines.some((l) => l.level === 'warn' && l.message === 'records quarantined')).toBe(true);
  });

  it('logs reasons and counts, never a payload, a key or a value', async () => {
    const secret = 'card-4111111111111111';
    await consume(
      mskEvent([
        mskRecord({ type: 'rating', user_id: 1, movie_id: 1, rating: 9, timestamp: 1, note: secret }, 1),
        mskRecord(`{"password": "${secret}"`, 2),
        mskRecord({ event_id: secret, type: 'rating', user_id: 1, movie_id: 2, rating: 4, timestamp: '2026-11-24T10:00:00Z' }, 3),
      ]),
    );
    const logged = JSON.stringify(logger.lines);
    expect(logged).toContain('records quarantined');
    for (const form of [secret, Buffer.from(secret).toString('base64').slice(0, 16)]) expect(logged).not.toContain(form);
  });

  it('accepts an empty batch', async () => {
    expect(await consume({ records: {} })).toEqual({ received: 0, applied: 0, duplicate: 0, superseded: 0, quarantined: 0 });
  });

  it('fails the batch when storage fails, and a redelivery then completes it', async () => {
    const stores = sqliteStores(tempDir());
    const broken = createConsumeHandler({
      lake: stores.lake,
      features: {
        readSnapshot: (keys) => stores.features.readSnapshot(keys),
        writeChanges: async () => {
          throw new Error('disk I/O error');
        },
        getUserProfile: (id) => stores.features.getUserProfile(id),
        getRankingProfile: (id, latest) => stores.features.getRankingProfile(id, latest),
        upsertMovies: (m) => stores.features.upsertMovies(m),
        reconcile: (silver, asOf) => stores.features.reconcile(silver, asOf),
        getMovieFeatures: (ids) => stores.features.getMovieFeatures(ids),
        ratedAmong: (id, movies) => stores.features.ratedAmong(id, movies),
      },
      logger,
    });
    await expect(broken(batch())).rejects.toThrow('disk I/O error');
    const healthy = createConsumeHandler({ lake: stores.lake, features: stores.features, logger });
    expect(await healthy(batch())).toMatchObject({ applied: 3, quarantined: 2 });
    expect(stores.db.prepare('SELECT COUNT(*) FROM lake_objects').pluck().get()).toBe(4);
    stores.db.close();
  });

  it('uses the Kafka timestamp of the batch for the lake partition', async () => {
    await consume(batch());
    const dt = db.prepare('SELECT DISTINCT dt FROM lake_objects').pluck().all();
    expect(dt).toEqual([new Date(KAFKA_TIME).toISOString().slice(0, 10)]);
  });
});
