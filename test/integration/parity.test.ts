import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoFeatureStore } from '../../lambdas/aws/dynamo-feature-store';
import { S3DynamoModelStore } from '../../lambdas/aws/s3-dynamo-model-store';
import { S3Lake } from '../../lambdas/aws/s3-lake';
import type { FeatureStore, ModelStore } from '../../lambdas/core/ports';
import { createConsumeHandler } from '../../lambdas/handlers/consume';
import { createRecommendHandler } from '../../lambdas/handlers/recommend';
import { generateDemoData } from '../../local/demo-data';
import { EmbeddedProducer, messageFor } from '../../local/embedded-producer';
import { openDatabase } from '../../local/sqlite/database';
import { recordingLogger, sqliteStores } from '../helpers/local-stores';
import { demoModel } from '../helpers/model-store-contract';
import { TABLES, useLocalAws } from '../helpers/local-aws';
import { useTempDir } from '../helpers/temp-dir';

const demo = generateDemoData({ users: 50, movies: 40, seed: 11 });

/** The same MSK batches for both sides: several partitions, bad records included. */
function batches(): MSKEvent[] {
  const db = openDatabase(':memory:');
  const out = new EmbeddedProducer(db).batches(demo.events.map(messageFor), 250, Date.UTC(2026, 10, 24, 12));
  db.close();
  return out;
}

describe('parity: the consume and recommend paths on SQLite and on the AWS adapters', () => {
  const tempDir = useTempDir();
  const servers = useLocalAws();

  it('gives identical features, lake keys and recommendations', async () => {
    const [s3, dynamo] = [servers.s3(), servers.dynamo()];
    const local = sqliteStores(tempDir());
    const aws = {
      lake: new S3Lake(s3.s3, s3.bucket),
      features: new DynamoFeatureStore(dynamo.doc, TABLES),
      models: new S3DynamoModelStore({ s3: s3.s3, bucket: s3.bucket, dynamo: dynamo.doc, table: TABLES.models }),
    };
    const sides: { lake: typeof aws.lake | typeof local.lake; features: FeatureStore; models: ModelStore }[] = [local, aws];
    const model = demoModel('2026-11-24');
    const counts = [];
    for (const side of sides) {
      await side.features.upsertMovies(demo.movies);
      const consume = createConsumeHandler({ lake: side.lake, features: side.features, logger: recordingLogger() });
      const sideCounts = [];
      for (const batch of batches()) sideCounts.push(await consume(batch));
      counts.push(sideCounts);
      await side.models.write(model);
      await side.models.activate(model.manifest.version);
    }
    expect(counts[1]).toEqual(counts[0]);

    const keys = local.db.prepare('SELECT object_key FROM lake_objects ORDER BY object_key').pluck().all();
    const listed = await s3.s3.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'bronze/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(keys);

    const users = Array.from({ length: 52 }, (_, i) => i + 1);
    const movieIds = demo.movies.map((m) => m.movieId);
    const view = async (features: FeatureStore) => {
      const profiles = await Promise.all(users.map((u) => features.getUserProfile(u)));
      return {
        profiles: profiles.map((p) => p && { ...p, ratings: [...p.ratings].sort((a, b) => a.movieId - b.movieId) }),
        movies: [...(await features.getMovieFeatures(movieIds))].sort((a, b) => a[0] - b[0]),
        global: (await features.readSnapshot({ userIds: [], movieIds: [], pairs: [] })).global,
      };
    };
    expect(await view(aws.features)).toEqual(await view(local.features));

    const answers = async (side: (typeof sides)[number]) => {
      const handler = createRecommendHandler({ features: side.features, models: side.models, logger: recordingLogger() });
      const paths = [...users.slice(0, 12).map((u) => `/users/${u}/recommendations`), '/users/999/recommendations', '/movies/3/similar'];
      return Promise.all(
        paths.map(async (rawPath) => (await handler({ rawPath, rawQueryString: 'limit=10', requestContext: { http: { method: 'GET' } } })).body),
      );
    };
    expect(await answers(aws)).toEqual(await answers(local));
    local.db.close();
  });
});
