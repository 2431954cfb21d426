/**
 * Faults injected into the AWS adapters (s3rver and dynalite, with a failing middleware on the SDK
 * client): the consumer must fail the batch, so that Lambda delivers it again, and the redelivery
 * must end in the state of a run that never failed.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoFeatureStore } from '../../../lambdas/aws/dynamo-feature-store';
import { S3EventLake } from '../../../lambdas/aws/s3-event-lake';
import type { FeatureStore } from '../../../lambdas/core/ports';
import { createConsumeHandler } from '../../../lambdas/handlers/consume';
import { generateDemoData } from '../../../local/demo-data';
import { EmbeddedProducer, messageFor } from '../../../local/embedded-producer';
import { openDatabase } from '../../../local/sqlite/database';
import { createTables, dynaliteClient } from '../../helpers/dynalite';
import { useLocalAws } from '../../helpers/local-aws';
import { s3rverClient } from '../../helpers/s3rver';
import { recordingLogger } from '../../helpers/local-stores';

const demo = generateDemoData({ users: 30, movies: 25, seed: 4 });

function batches(): MSKEvent[] {
  const db = openDatabase(':memory:');
  const out = new EmbeddedProducer(db).batches(demo.events.map(messageFor), 200, Date.UTC(2026, 10, 24, 12));
  db.close();
  return out;
}

/** Fails the named command while `armed()` says so, before the SDK's own retries see it. */
function injectFault(client: S3Client | DynamoDBClient, command: string, armed: () => boolean, error: () => Error): void {
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add((next, context) => async (args) => {
    if (context.commandName === command && armed()) throw error();
    return next(args);
  });
}

function throttled(): Error {
  return Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' });
}

/** A fault that waits to be armed: the tests arm it when the third batch is first delivered. */
interface Fault {
  arm(): void;
}

/**
 * Once armed, fails the `nth` call that `matches`: before it reaches DynamoDB, or after it landed,
 * its answer lost.
 */
function failNth(
  client: DynamoDBClient,
  matches: (command: string, input: WriteInput) => boolean,
  nth: number,
  lost: 'request' | 'response',
): Fault {
  let calls: number | undefined;
  client.middlewareStack.add((next, context) => async (args) => {
    if (calls === undefined || !matches(context.commandName as string, args.input as WriteInput) || ++calls !== nth) return next(args);
    if (lost === 'response') await next(args);
    throw throttled();
  });
  return { arm: () => (calls = 0) };
}

interface WriteInput {
  Key?: { movieId?: number };
  UpdateExpression?: string;
}

/**
 * BatchWriteItem answering with part of its items unprocessed: once armed, for `calls` calls, it
 * writes only the first `keep` of each table's items.
 */
function leaveUnprocessed(client: DynamoDBClient, calls: number, keep: number): Fault {
  let n: number | undefined;
  client.middlewareStack.add((next, context) => async (args) => {
    if (n === undefined || context.commandName !== 'BatchWriteItemCommand' || ++n > calls) return next(args);
    const input = args.input as BatchWriteCommandInput;
    const kept: NonNullable<BatchWriteCommandInput['RequestItems']> = {};
    const unprocessed: typeof kept = {};
    for (const [table, requests] of Object.entries(input.RequestItems ?? {})) {
      if (requests.length > keep) unprocessed[table] = requests.slice(keep);
      if (keep > 0) kept[table] = requests.slice(0, keep);
    }
    const result: Awaited<ReturnType<typeof next>> =
      Object.keys(kept).length > 0
        ? await next({ ...args, input: { ...input, RequestItems: kept } })
        : { output: { $metadata: {} }, response: {} };
    return { ...result, output: { ...result.output, UnprocessedItems: unprocessed } };
  });
  return { arm: () => (n = 0) };
}

/** The records of an MSK batch split in two halves per partition, as Lambda's bisect on error does. */
function bisect(event: MSKEvent): MSKEvent[] {
  const halves: MSKEvent[] = [
    { ...event, records: {} },
    { ...event, records: {} },
  ];
  for (const [key, records] of Object.entries(event.records)) {
    const mid = Math.ceil(records.length / 2);
    if (mid > 0) halves[0]!.records[key] = records.slice(0, mid);
    if (records.length > mid) halves[1]!.records[key] = records.slice(mid);
  }
  return halves.filter((h) => Object.keys(h.records).length > 0);
}

describe('consumer faults on the AWS adapters', () => {
  const servers = useLocalAws();
  let tableSet = 0;

  async function side(install?: (clients: { s3: S3Client; dynamo: DynamoDBClient }) => void) {
    const [s3, dynamo] = [servers.s3(), servers.dynamo()];
    const tables = { users: `users-${tableSet}`, movies: `movies-${tableSet}` };
    const prefix = `run${tableSet++}/`;
    await createTables(dynamo, tables);
    const clients = { s3: s3rverClient(s3.endpoint), dynamo: dynaliteClient(dynamo.endpoint) };
    const features = new DynamoFeatureStore(DynamoDBDocumentClient.from(clients.dynamo), tables, { baseMs: 1 });
    await features.upsertMovies(demo.movies);
    install?.(clients);
    const consume = createConsumeHandler({ lake: new S3EventLake(clients.s3, s3.bucket, prefix), features, logger: recordingLogger() });
    const keys = async () =>
      ((await s3.s3.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!.slice(prefix.length)).sort();
    return { consume, features, keys };
  }

  async function view(features: FeatureStore) {
    const users = Array.from({ length: 31 }, (_, i) => i + 1);
    const profiles = await Promise.all(users.map((u) => features.getUserProfile(u)));
    return {
      profiles: profiles.map((p) => p && { ...p, ratings: [...p.ratings].sort((a, b) => a.movieId - b.movieId) }),
      movies: [...(await features.getMovieFeatures(demo.movies.map((m) => m.movieId)))].sort((a, b) => a[0] - b[0]),
      global: (await features.readSnapshot({ userIds: [], movieIds: [], pairs: [] })).global,
    };
  }

  /**
   * Consumes every batch, delivering again any batch that failed, as Lambda does: the same batch,
   * or (`bisect`) its two halves, each delivered the same way.
   */
  async function deliver(
    consume: (e: MSKEvent) => Promise<unknown>,
    events: MSKEvent[],
    retry: 'same batch' | 'bisect' = 'same batch',
    fault?: Fault,
  ): Promise<{ failures: string[] }> {
    const failures: string[] = [];
    const queue = [...events];
    while (queue.length > 0) {
      const batch = queue.shift()!;
      if (batch === events[2] && fault) {
        fault.arm();
        fault = undefined;
      }
      try {
        await consume(batch);
      } catch (err) {
        failures.push(String(err));
        const parts = retry === 'bisect' ? bisect(batch) : [batch];
        queue.unshift(...(parts.length > 1 ? parts : [batch]));
      }
    }
    return { failures };
  }

  /** What a re-batched delivery may change by design: a movie's mean takes the global mean of its update. */
  function withoutMeans(v: Awaited<ReturnType<typeof view>>) {
    return { ...v, movies: v.movies.map(([id, { bayesianMean: _, ...rest }]) => [id, rest]) };
  }

  /** The run without faults, which every case must end in: the same batches each time, so run once. */
  let cleanRun: Promise<{ view: Awaited<ReturnType<typeof view>>; keys: string[] }> | undefined;
  function clean() {
    cleanRun ??= (async () => {
      const s = await side();
      await deliver(s.consume, batches());
      return { view: await view(s.features), keys: await s.keys() };
    })();
    return cleanRun;
  }

  it('an S3 put failing mid-batch fails the batch; the redelivery ends as a clean run', async () => {
    let puts = 0;
    const faulty = await side(({ s3 }) =>
      injectFault(
        s3,
        'PutObjectCommand',
        () => ++puts === 7, // the seventh object: mid-run, after others of its batch
        () => Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalError' }),
      ),
    );
    const { failures } = await deliver(faulty.consume, batches());
    expect(failures).toEqual(['InternalError: We encountered an internal error. Please try again.']);
    expect(await view(faulty.features)).toEqual((await clean()).view);
    expect(await faulty.keys()).toEqual((await clean()).keys);
  });

  it('DynamoDB throttling the snapshot read fails the batch before any write; the redelivery ends as a clean run', async () => {
    let reads = 0;
    const faulty = await side(({ dynamo }) =>
      injectFault(
        dynamo,
        'BatchGetItemCommand',
        () => {
          reads++;
          return reads >= 4 && reads <= 6; // the third batch's read, and its first redelivery's
        },
        throttled,
      ),
    );
    const { failures } = await deliver(faulty.consume, batches());
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.every((f) => f.includes('ProvisionedThroughputExceededException'))).toBe(true);
    expect(await view(faulty.features)).toEqual((await clean()).view);
  });

  // One write of the third batch fails (its request lost, or its answer lost after it landed).
  // A batch here has 200 events from 30 users and 25 movies: 2 BatchWriteItem calls for the users,
  // an increment and a mean per movie, one global increment, and a PutItem per changed rating.
  const isIncrement = (input: WriteInput) => input.UpdateExpression?.startsWith('ADD') === true;
  const writeFaults = [
    { write: 'users (BatchWriteItem)', nth: 2, matches: (command: string) => command === 'BatchWriteItemCommand' },
    {
      write: 'a movie increment (UpdateItem)',
      nth: 10,
      matches: (command: string, input: WriteInput) => command === 'UpdateItemCommand' && isIncrement(input) && input.Key?.movieId !== 0,
    },
    {
      write: 'the global stats (UpdateItem)',
      nth: 1,
      matches: (command: string, input: WriteInput) => command === 'UpdateItemCommand' && input.Key?.movieId === 0,
    },
    { write: 'ratings (PutItem)', nth: 100, matches: (command: string) => command === 'PutItemCommand' },
  ];
  describe.each(writeFaults)('DynamoDB failing on $write mid-batch', ({ matches, nth }) => {
    it.each([
      { lost: 'request', retry: 'same batch' },
      { lost: 'response', retry: 'same batch' },
      { lost: 'response', retry: 'bisect' },
    ] as const)('its $lost lost, redelivered as the $retry: ends as a clean run', async ({ lost, retry }) => {
      let fault: Fault | undefined;
      const faulty = await side(({ dynamo }) => (fault = failNth(dynamo, matches, nth, lost)));
      const { failures } = await deliver(faulty.consume, batches(), retry, fault);
      expect(failures).toEqual(['ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput.']);
      const [got, want] = [await view(faulty.features), (await clean()).view];
      if (retry === 'same batch') {
        expect(got).toEqual(want);
        expect(await faulty.keys()).toEqual((await clean()).keys);
      } else {
        expect(withoutMeans(got)).toEqual(withoutMeans(want));
        // The failed attempt's objects stay; the halves' repeat their records, which silver reads once.
        expect(await faulty.keys()).toEqual(expect.arrayContaining((await clean()).keys));
      }
    });
  });

  it('DynamoDB leaving items unprocessed: retried within the call while it makes progress', async () => {
    let fault: Fault | undefined;
    const faulty = await side(({ dynamo }) => (fault = leaveUnprocessed(dynamo, 1_000, 10)));
    fault!.arm();
    const { failures } = await deliver(faulty.consume, batches());
    expect(failures).toEqual([]);
    expect(await view(faulty.features)).toEqual((await clean()).view);
  });

  it('DynamoDB leaving every item unprocessed fails the batch after the retries; the redelivery ends as a clean run', async () => {
    let fault: Fault | undefined;
    const faulty = await side(({ dynamo }) => (fault = leaveUnprocessed(dynamo, 8, 0)));
    const { failures } = await deliver(faulty.consume, batches(), 'same batch', fault);
    expect(failures).toEqual(['TransientError: DynamoDB left items unprocessed after 8 attempts']);
    expect(await view(faulty.features)).toEqual((await clean()).view);
  });
});
