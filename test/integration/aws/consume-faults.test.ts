/**
 * Faults injected into the AWS adapters (s3rver and dynalite, with a failing middleware on the SDK
 * client): the consumer must fail the batch, so that Lambda delivers it again, and the redelivery
 * must end in the state of a run that never failed.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoFeatureStore } from '../../../lambdas/aws/dynamo-feature-store';
import { S3Lake } from '../../../lambdas/aws/s3-lake';
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

describe('consumer faults on the AWS adapters', () => {
  const servers = useLocalAws();
  let tableSet = 0;

  async function side(fault?: { client: 's3' | 'dynamo'; command: string; armed: () => boolean; error: () => Error }) {
    const [s3, dynamo] = [servers.s3(), servers.dynamo()];
    const tables = { users: `users-${tableSet}`, movies: `movies-${tableSet}` };
    const prefix = `run${tableSet++}/`;
    await createTables(dynamo, tables);
    const s3c = s3rverClient(s3.endpoint);
    const ddb = dynaliteClient(dynamo.endpoint);
    if (fault) injectFault(fault.client === 's3' ? s3c : ddb, fault.command, fault.armed, fault.error);
    const features = new DynamoFeatureStore(DynamoDBDocumentClient.from(ddb), tables, { baseMs: 1 });
    await features.upsertMovies(demo.movies);
    const consume = createConsumeHandler({ lake: new S3Lake(s3c, s3.bucket, prefix), features, logger: recordingLogger() });
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

  /** Consumes every batch, delivering again any batch that failed, as Lambda does. */
  async function deliver(consume: (e: MSKEvent) => Promise<unknown>, events: MSKEvent[]): Promise<{ failures: string[] }> {
    const failures: string[] = [];
    for (const batch of events) {
      for (;;) {
        try {
          await consume(batch);
          break;
        } catch (err) {
          failures.push(String(err));
        }
      }
    }
    return { failures };
  }

  it('an S3 put failing mid-batch fails the batch; the redelivery ends as a clean run', async () => {
    const clean = await side();
    await deliver(clean.consume, batches());
    let puts = 0;
    const faulty = await side({
      client: 's3',
      command: 'PutObjectCommand',
      armed: () => ++puts === 7, // the seventh object: mid-run, after others of its batch
      error: () => Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalError' }),
    });
    const { failures } = await deliver(faulty.consume, batches());
    expect(failures).toEqual(['InternalError: We encountered an internal error. Please try again.']);
    expect(await view(faulty.features)).toEqual(await view(clean.features));
    expect(await faulty.keys()).toEqual(await clean.keys());
  });

  it('DynamoDB throttling the snapshot read fails the batch before any write; the redelivery ends as a clean run', async () => {
    const clean = await side();
    await deliver(clean.consume, batches());
    let reads = 0;
    const faulty = await side({
      client: 'dynamo',
      command: 'BatchGetItemCommand',
      armed: () => {
        reads++;
        return reads >= 4 && reads <= 6; // the third batch's read, and its first redelivery's
      },
      error: () => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' }),
    });
    const { failures } = await deliver(faulty.consume, batches());
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.every((f) => f.includes('ProvisionedThroughputExceededException'))).toBe(true);
    expect(await view(faulty.features)).toEqual(await view(clean.features));
  });
});
