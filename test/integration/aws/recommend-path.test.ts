import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoFeatureStore } from '../../../lambdas/aws/dynamo-feature-store';
import { S3DynamoModelStore } from '../../../lambdas/aws/s3-dynamo-model-store';
import { S3EventLake } from '../../../lambdas/aws/s3-event-lake';
import { trainModel } from '../../../lambdas/core/model';
import { createConsumeHandler } from '../../../lambdas/handlers/consume';
import { createRecommendHandler } from '../../../lambdas/handlers/recommend';
import { generateDemoData } from '../../../local/demo-data';
import { EmbeddedProducer, messageFor } from '../../../local/embedded-producer';
import { openDatabase } from '../../../local/sqlite/database';
import { dynaliteClient } from '../../helpers/dynalite';
import { TABLES, useLocalAws } from '../../helpers/local-aws';
import { s3rverClient } from '../../helpers/s3rver';
import { recordingLogger } from '../../helpers/local-stores';

const demo = generateDemoData({ users: 30, movies: 25, seed: 9 });
const valid = demo.events.filter((e) => typeof e.rating === 'number' && (e.user_id as number) > 0 && typeof e.timestamp === 'string');

/** Counts the calls a client sends. */
function counted<T extends S3Client | DynamoDBClient>(client: T): { client: T; calls: () => number } {
  let n = 0;
  // Both clients share the middleware stack's shape; TypeScript cannot see it through the union.
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add((next) => (args) => {
    n++;
    return next(args);
  });
  return { client, calls: () => n };
}

describe('the recommend path on AWS adapters (s3rver, dynalite)', () => {
  const servers = useLocalAws();

  const clients = () => {
    const [s3, dynamo] = [servers.s3(), servers.dynamo()];
    const ddb = counted(dynaliteClient(dynamo.endpoint));
    const s3c = counted(s3rverClient(s3.endpoint));
    const doc = DynamoDBDocumentClient.from(ddb.client);
    return {
      features: new DynamoFeatureStore(doc, TABLES),
      models: new S3DynamoModelStore({ s3: s3c.client, bucket: s3.bucket, dynamo: doc, table: TABLES.models }),
      lake: new S3EventLake(s3c.client, s3.bucket),
      dynamoCalls: ddb.calls,
      s3Calls: s3c.calls,
    };
  };

  it('makes two DynamoDB calls a request and loads the model from S3 once per version', async () => {
    const writer = clients();
    await writer.features.upsertMovies(demo.movies);
    const consume = createConsumeHandler({ lake: writer.lake, features: writer.features, logger: recordingLogger() });
    const db = openDatabase(':memory:');
    for (const batch of new EmbeddedProducer(db).batches(valid.map(messageFor), 200, Date.UTC(2026, 10, 24, 12))) await consume(batch);
    db.close();
    const train = (date: string, users: number) =>
      trainModel({
        interactions: {
          userIds: Int32Array.from(valid.filter((e) => (e.user_id as number) <= users), (e) => e.user_id as number),
          movieIds: Int32Array.from(valid.filter((e) => (e.user_id as number) <= users), (e) => e.movie_id as number),
        },
        catalog: demo.movies,
        date,
      });
    const first = train('2026-11-24', 30);
    await writer.models.write(first);
    await writer.models.activate(first.manifest.version);

    const reader = clients();
    const handler = createRecommendHandler({ features: reader.features, models: reader.models, logger: recordingLogger() });
    const request = async (userId: number) => {
      const [d, s] = [reader.dynamoCalls(), reader.s3Calls()];
      const res = await handler({ rawPath: `/users/${userId}/recommendations`, rawQueryString: 'limit=5', requestContext: { http: { method: 'GET' } } });
      expect(res.statusCode).toBe(200);
      return { body: JSON.parse(res.body) as { modelVersion: string; items: unknown[] }, dynamo: reader.dynamoCalls() - d, s3: reader.s3Calls() - s };
    };

    const cold = await request(3);
    // The model: its manifest, the head's weights and three Parquet files.
    expect(cold).toMatchObject({ dynamo: 2, s3: 5, body: { modelVersion: first.manifest.version } });
    expect(cold.body.items).toHaveLength(5);
    const warm = await request(4);
    expect(warm).toMatchObject({ dynamo: 2, s3: 0 });

    const second = train('2026-11-25', 20);
    await writer.models.write(second);
    await writer.models.activate(second.manifest.version);
    const moved = await request(3);
    expect(moved).toMatchObject({ dynamo: 2, s3: 5, body: { modelVersion: second.manifest.version } });
  });
});
