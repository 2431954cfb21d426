import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchPut } from '../../../lambdas/aws/dynamo-batch';
import { DynamoFeatureStore, type DynamoTables } from '../../../lambdas/aws/dynamo-feature-store';
import { TRANSIENT_ERROR } from '../../../lambdas/core/daily-batch-workflow';
import { applyRatings, type FeatureChanges } from '../../../lambdas/core/features';
import { startDynamo, type LocalDynamo } from '../../helpers/dynalite';
import { ratingEvent as ev } from '../../helpers/msk';

const BATCH_TIME = Date.UTC(2026, 10, 24, 12);
const CATALOG = [
  { movieId: 1, title: 'One', genres: ['Comedy'] },
  { movieId: 2, title: 'Two', genres: ['Drama', 'War'] },
];

describe('DynamoFeatureStore against dynalite', () => {
  let dynamo: LocalDynamo;
  let n = 0;
  /** The tables of the latest store(). */
  let tables: DynamoTables;
  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  async function store(): Promise<DynamoFeatureStore> {
    tables = { users: `users-${++n}`, movies: `movies-${n}` };
    await dynamo.createTable({
      TableName: tables.users,
      AttributeDefinitions: [
        { AttributeName: 'userId', AttributeType: 'N' },
        { AttributeName: 'movieId', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'userId', KeyType: 'HASH' },
        { AttributeName: 'movieId', KeyType: 'RANGE' },
      ],
    });
    await dynamo.createTable({
      TableName: tables.movies,
      AttributeDefinitions: [{ AttributeName: 'movieId', AttributeType: 'N' }],
      KeySchema: [{ AttributeName: 'movieId', KeyType: 'HASH' }],
    });
    const s = new DynamoFeatureStore(dynamo.doc, tables);
    await s.upsertMovies(CATALOG);
    return s;
  }

  async function apply(s: DynamoFeatureStore, events: ReturnType<typeof ev>[]): Promise<FeatureChanges> {
    const snapshot = await s.readSnapshot({
      userIds: [...new Set(events.map((e) => e.userId))],
      movieIds: [...new Set(events.map((e) => e.movieId))],
      pairs: [...new Map(events.map((e) => [`${e.userId}:${e.movieId}`, e])).values()],
    });
    const { changes } = applyRatings(snapshot, events, BATCH_TIME);
    await s.writeChanges(changes);
    return changes;
  }

  it('round-trips features, ratings and catalog genres', async () => {
    const s = await store();
    await apply(s, [ev('a', 7, 1, 4, 1000), ev('b', 7, 2, 2, 2000)]);
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
      updatedAt: BATCH_TIME,
    });
    expect(snapshot.genres.get(2)).toEqual(['Drama', 'War']);
    expect(snapshot.ratings.get('7:2')).toEqual(ev('b', 7, 2, 2, 2000));
    expect(snapshot.global).toEqual({ ratingCount: 2, ratingSum: 6 });
    expect((await s.getMovieFeatures([1, 3])).get(1)).toEqual({
      movieId: 1,
      ratingCount: 1,
      ratingSum: 4,
      bayesianMean: (10 * 3 + 4) / 11,
      updatedAt: BATCH_TIME,
    });
    const profile = await s.getUserProfile(7);
    expect(profile?.features).toEqual(snapshot.users.get(7));
    expect(profile?.ratings.map((r) => r.eventId).sort()).toEqual(['a', 'b']);
    expect(await s.getUserProfile(8)).toBeUndefined();
  });

  it('reads a whole user profile with one call', async () => {
    const s = await store();
    await apply(s, [ev('a', 7, 1, 4, 1000), ev('b', 7, 2, 2, 2000)]);
    let calls = 0;
    const counted = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    counted.middlewareStack.add((next) => (args) => {
      calls++;
      return next(args);
    });
    const profile = await new DynamoFeatureStore(counted, tables).getUserProfile(7);
    expect(profile?.ratings).toHaveLength(2);
    expect(calls).toBe(1);
  });

  it('never replaces a rating with an older one, even from a writer that read a stale snapshot', async () => {
    const s = await store();
    await apply(s, [ev('new', 7, 1, 5, 2000)]);
    await s.writeChanges({
      ratings: [ev('old', 7, 1, 1, 1000)],
      users: [],
      movies: [],
      global: { ratingCount: 0, ratingSum: 0 },
      batchTime: BATCH_TIME,
      priorMean: 3,
    });
    expect((await s.getUserProfile(7))?.ratings).toEqual([ev('new', 7, 1, 5, 2000)]);
  });

  it('adds concurrent increments of a movie without losing any', async () => {
    const s = await store();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => apply(s, [ev(`e${i}`, 100 + i, 1, 4, 1000)])),
    );
    expect((await s.getMovieFeatures([1])).get(1)).toMatchObject({ ratingCount: 10, ratingSum: 40 });
    expect((await s.readSnapshot({ userIds: [], movieIds: [], pairs: [] })).global).toEqual({ ratingCount: 10, ratingSum: 40 });
  });

  it('reconciles with batch features, keeping those changed after the run', async () => {
    const s = await store();
    await apply(s, [ev('a', 7, 1, 4, 1000)]);
    const silver = { userId: 7, ratingCount: 9, ratingSum: 9, lastActive: 1, recent: [], genres: {}, updatedAt: 0 };
    const movie = { movieId: 1, ratingCount: 9, ratingSum: 9, bayesianMean: 1, updatedAt: 0 };
    expect(await s.reconcile([silver], [movie], BATCH_TIME - 1)).toEqual({ replaced: 0, kept: 2 });
    expect(await s.reconcile([silver, { ...silver, userId: 9 }], [movie], BATCH_TIME)).toEqual({ replaced: 3, kept: 0 });
    expect((await s.getUserProfile(7))?.features).toMatchObject({ ratingCount: 9, updatedAt: BATCH_TIME });
    expect((await s.getMovieFeatures([1])).get(1)).toMatchObject({ ratingCount: 9, bayesianMean: 1 });
    const title = await s.readSnapshot({ userIds: [], movieIds: [1], pairs: [] });
    expect(title.genres.get(1)).toEqual(['Comedy']);
  });
});

describe('batchPut under throttling (failure injection)', () => {
  // Only this client is mocked: DynamoDB cannot be made to throttle on demand.
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(doc);
  afterAll(() => mock.restore());
  const items = Array.from({ length: 30 }, (_, i) => ({ userId: i }));

  it('sends unprocessed items again after a pause until all are written', async () => {
    mock.reset();
    mock
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { users: [{ PutRequest: { Item: { userId: 3 } } }] } })
      .resolves({ UnprocessedItems: {} });
    const pauses: number[] = [];
    await batchPut(doc, 'users', items, { sleep: async (ms) => void pauses.push(ms) });
    const calls = mock.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems!.users!.length);
    expect(calls).toEqual([25, 1, 5]);
    expect(pauses).toHaveLength(1);
  });

  it('gives up with a transient error when items stay unprocessed', async () => {
    mock.reset();
    mock.on(BatchWriteCommand).resolves({ UnprocessedItems: { users: [{ PutRequest: { Item: { userId: 1 } } }] } });
    await expect(batchPut(doc, 'users', items.slice(0, 1), { attempts: 3, sleep: async () => undefined })).rejects.toMatchObject({
      name: TRANSIENT_ERROR,
    });
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(3);
  });
});
