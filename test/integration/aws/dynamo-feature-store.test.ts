import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { itemSize } from 'dynalite/db/index.js';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchPut } from '../../../lambdas/aws/dynamo-batch';
import { DynamoFeatureStore } from '../../../lambdas/aws/dynamo-feature-store';
import { TRANSIENT_ERROR } from '../../../lambdas/core/transient-error';
import { applyRatings, emptyUser } from '../../../lambdas/core/features';
import { DEMO_GENRES } from '../../../local/demo-data';
import { createTables, dynaliteClient, startDynamo, type LocalDynamo } from '../../helpers/dynalite';
import { applyTo, describeFeatureStoreContract, silverReaders } from '../../helpers/feature-store-contract';
import { ratingEvent as ev } from '../../helpers/msk';

describe('DynamoFeatureStore against dynalite', () => {
  let dynamo: LocalDynamo;
  let n = 0;
  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  async function store(doc = dynamo.doc): Promise<DynamoFeatureStore> {
    const tables = { users: `users-${++n}`, movies: `movies-${n}` };
    await createTables(dynamo, tables);
    return new DynamoFeatureStore(doc, tables);
  }

  describeFeatureStoreContract('DynamoFeatureStore', async () => ({ store: await store(), silver: async (users, movies) => silverReaders(users, movies) }));

  it('reads a whole user profile with one call', async () => {
    let calls = 0;
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    client.middlewareStack.add((next) => (args) => {
      calls++;
      return next(args);
    });
    const s = await store(DynamoDBDocumentClient.from(client));
    await s.upsertMovies([{ movieId: 1, title: 'One', genres: [] }]);
    await applyTo(s, [ev('a', 7, 1, 4, 1000), ev('b', 7, 2, 2, 2000)]);
    const before = calls;
    expect((await s.getUserProfile(7))?.ratings).toHaveLength(2);
    expect(calls - before).toBe(1);
  });

  it("keeps a user's features item within one write unit (1 KB) with 20 latest ratings and 18 genres, and reads items in the older form", async () => {
    const s = await store();
    const movies = Array.from({ length: 24 }, (_, i) => ({ movieId: i + 1, title: `M${i}`, genres: [DEMO_GENRES[i % DEMO_GENRES.length]!] }));
    await s.upsertMovies(movies);
    await applyTo(s, movies.map((m, i) => ev(`e${i}`, 7, m.movieId, 3.5, 1_796_000_000_000 + i * 1000)));
    const written = (await s.getUserProfile(7))!.features;
    expect(written.recent).toHaveLength(20);
    expect(Object.keys(written.genres)).toHaveLength(DEMO_GENRES.length);
    const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: `users-${n}`, Key: { userId: { N: '7' }, movieId: { N: '0' } } }));
    expect(itemSize(Item!)).toBeLessThan(1024);
    // The form written before: the same features, as maps.
    await dynamo.doc.send(new PutCommand({ TableName: `users-${n}`, Item: { ...written, userId: 8, movieId: 0 } }));
    expect((await s.getUserProfile(8))!.features).toEqual({ ...written, userId: 8 });
  });

  it('writes only the catalog entries that differ from those online', async () => {
    const updates: string[] = [];
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    client.middlewareStack.add((next, context) => (args) => {
      if (context.commandName === 'UpdateItemCommand') updates.push(JSON.stringify((args.input as { Key: unknown }).Key));
      return next(args);
    });
    const s = await store(DynamoDBDocumentClient.from(client));
    const catalog = [{ movieId: 1, title: 'One', genres: ['Drama'] }, { movieId: 2, title: 'Two', genres: ['Comedy', 'Drama'] }];
    await s.upsertMovies(catalog);
    expect(updates).toHaveLength(2);
    await s.upsertMovies(catalog);
    expect(updates).toHaveLength(2);
    await s.upsertMovies([catalog[0]!, { ...catalog[1]!, genres: ['Comedy'] }, { movieId: 3, title: 'Three', genres: [] }]);
    expect(updates.slice(2)).toEqual(['{"movieId":2}', '{"movieId":3}']);
    expect((await s.readSnapshot({ userIds: [], movieIds: [2], pairs: [] })).genres.get(2)).toEqual(['Comedy']);
  });

  it('keeps the Kafka offsets of items with their features, and through a reconcile', async () => {
    const s = await store();
    const events = [ev('a', 7, 1, 4, 1000), ev('b', 8, 1, 2, 2000)];
    const positions = [
      { source: 'user-events:1', offset: 41 },
      { source: 'user-events:0', offset: 12 },
    ];
    const keys = { userIds: [7, 8], movieIds: [1], pairs: [{ userId: 7, movieId: 1 }, { userId: 8, movieId: 1 }] };
    await s.writeChanges(applyRatings(await s.readSnapshot(keys), events, 5000, positions).changes);
    const applied = {
      users: new Map([
        [7, { 'user-events:1': 41 }],
        [8, { 'user-events:0': 12 }],
      ]),
      movies: new Map([[1, { 'user-events:1': 41, 'user-events:0': 12 }]]),
      global: { 'user-events:1': 41, 'user-events:0': 12 },
    };
    expect((await s.readSnapshot(keys)).applied).toEqual(applied);

    const user = { ...emptyUser(7), ratingCount: 1, ratingSum: 4.5 };
    await s.reconcile(silverReaders([user], [{ movieId: 1, ratingCount: 2, ratingSum: 6.5, bayesianMean: 3.4, updatedAt: 0 }]), 9000);
    const after = await s.readSnapshot(keys);
    expect(after.users.get(7)).toEqual({ ...user, updatedAt: 9000 });
    expect(after.applied).toEqual(applied);
  });

  it('reconciles a few writes at a time, and a refused write fails it with no request left unawaited', async () => {
    const client = dynaliteClient(dynamo.endpoint);
    let inFlight = 0;
    let most = 0;
    let updates = 0;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    client.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName !== 'UpdateItemCommand') return next(args);
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        // The tenth update is refused, as IAM refuses a call its role lacks.
        if (++updates === 10) throw Object.assign(new Error('not authorized to perform dynamodb:UpdateItem'), { name: 'AccessDeniedException' });
        return await next(args);
      } finally {
        inFlight--;
      }
    });
    try {
      const s = await store(DynamoDBDocumentClient.from(client));
      const users = Array.from({ length: 200 }, (_, i) => ({ ...emptyUser(i + 1), ratingCount: 1, ratingSum: 3 }));
      await expect(s.reconcile(silverReaders(users, []), 9000)).rejects.toMatchObject({ name: 'AccessDeniedException' });
      // Node reports an unhandled rejection after the microtasks and I/O of its turn.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
      expect(most).toBeLessThanOrEqual(16);
      expect(updates).toBeLessThan(users.length);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      client.destroy();
    }
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
