import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3DynamoModelStore } from '../../../lambdas/aws/s3-dynamo-model-store';
import { trainModel, type Model } from '../../../lambdas/core/model';
import { generateDemoData } from '../../../local/demo-data';
import { startDynamo, type LocalDynamo } from '../../helpers/dynalite';
import { startS3, type LocalS3 } from '../../helpers/s3rver';

const demo = generateDemoData({ users: 50, movies: 40, seed: 11 });
const valid = demo.events.filter((e) => typeof e.rating === 'number' && (e.user_id as number) > 0 && typeof e.timestamp === 'string');

function model(date: string, users = 50): Model {
  const events = valid.filter((e) => (e.user_id as number) <= users);
  return trainModel({
    interactions: {
      userIds: Int32Array.from(events, (e) => e.user_id as number),
      movieIds: Int32Array.from(events, (e) => e.movie_id as number),
    },
    catalog: demo.movies,
    date,
  });
}

describe('S3DynamoModelStore against s3rver and dynalite', () => {
  let s3: LocalS3;
  let dynamo: LocalDynamo;
  let table = 0;

  beforeAll(async () => {
    [s3, dynamo] = await Promise.all([startS3(), startDynamo()]);
  });
  afterAll(async () => {
    await Promise.all([s3.stop(), dynamo.stop()]);
  });

  async function store(): Promise<S3DynamoModelStore> {
    const name = `models-${++table}`;
    await dynamo.createTable({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    });
    return new S3DynamoModelStore({ s3: s3.s3, bucket: s3.bucket, prefix: `${name}/`, dynamo: dynamo.doc, table: name });
  }

  it('loads from Parquet exactly the model it wrote', async () => {
    const models = await store();
    const m = model('2026-11-24');
    expect(m.neighbours.size).toBeGreaterThan(10);
    await models.write(m);
    expect(await models.load(m.manifest.version)).toEqual(m);
    expect(await models.activeVersion()).toBeUndefined();
  });

  it('moves the pointer only when told, and only to a written version', async () => {
    const models = await store();
    const a = model('2026-11-23');
    const b = model('2026-11-24', 40);
    await models.write(a);
    await models.write(b);
    await models.activate(a.manifest.version);
    expect(await models.activeVersion()).toBe(a.manifest.version);
    await models.activate(b.manifest.version);
    expect(await models.activeVersion()).toBe(b.manifest.version);
    await expect(models.activate('2026-11-22-000000000000')).rejects.toThrow(/does not exist/);
  });

  it('follows with the pointer when the active date is rewritten with another model', async () => {
    const models = await store();
    const first = model('2026-11-24');
    const second = model('2026-11-24', 30);
    expect(second.manifest.version).not.toBe(first.manifest.version);
    await models.write(first);
    await models.activate(first.manifest.version);
    await models.write(second);
    expect(await models.activeVersion()).toBe(second.manifest.version);
    await expect(models.load(first.manifest.version)).rejects.toThrow(/does not exist/);
    expect(await models.load(second.manifest.version)).toEqual(second);
  });
});
