import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BatchLake } from '../../../lambdas/aws/s3-batch-lake';
import { S3EventLake } from '../../../lambdas/aws/s3-event-lake';
import { silverParquet } from '../../helpers/athena-twin';
import { startS3, type LocalS3 } from '../../helpers/s3rver';

const DATE = '2026-11-24';
const recent = '[{"movieId":3,"rating":4.5E0,"eventTime":1764000000000}]';

describe('S3BatchLake: silver Parquet as Athena UNLOAD writes it', () => {
  let local: LocalS3;
  beforeAll(async () => {
    local = await startS3();
  });
  afterAll(async () => {
    await local.stop();
  });

  const lakeAt = (prefix: string) => new S3BatchLake(local.s3, local.bucket, prefix, new S3EventLake(local.s3, local.bucket, prefix));
  const put = (Key: string, Body: Uint8Array | string) => local.s3.send(new PutObjectCommand({ Bucket: local.bucket, Key, Body }));

  it('reads every file of the date partition, in key order, and nothing of other dates', async () => {
    await put(`a/silver/ratings/dt=${DATE}/`, new Uint8Array(0)); // a folder marker some tools write
    await put(`a/silver/ratings/dt=${DATE}/20261125_1_b`, silverParquet('silver_ratings', [[3, 30, 4, 1, 'e3'], [4, 40, 2.5, 2, 'e4']]));
    await put(`a/silver/ratings/dt=${DATE}/20261125_1_a`, silverParquet('silver_ratings', [[1, 10, 5, 3, 'e1']]));
    await put('a/silver/ratings/dt=2026-11-23/20261124_1_a', silverParquet('silver_ratings', [[9, 90, 1, 4, 'e9']]));
    const { userIds, movieIds, ratings, eventTimes } = await lakeAt('a/').readInteractions(DATE);
    expect([...userIds]).toEqual([1, 3, 4]);
    expect([...movieIds]).toEqual([10, 30, 40]);
    expect([...ratings]).toEqual([5, 4, 2.5]);
    expect([...eventTimes]).toEqual([3, 1, 2]);
  });

  it('reads features with INT64 counts as numbers, JSON columns parsed, updatedAt 0', async () => {
    await put(
      `b/silver/user_features/dt=${DATE}/f`,
      silverParquet('silver_user_features', [[7, 1, 4.5, 1764000000000, recent, '{"Comedy":{"count":1,"sum":4.5E0}}']]),
    );
    await put(`b/silver/movie_features/dt=${DATE}/f`, silverParquet('silver_movie_features', [[3, 12, 48, 3.9]]));
    const lake = lakeAt('b/');
    expect(await lake.readUserFeatures(DATE)).toEqual([
      {
        userId: 7,
        ratingCount: 1,
        ratingSum: 4.5,
        lastActive: 1764000000000,
        recent: [{ movieId: 3, rating: 4.5, eventTime: 1764000000000 }],
        genres: { Comedy: { count: 1, sum: 4.5 } },
        updatedAt: 0,
      },
    ]);
    expect(await lake.readMovieFeatures(DATE)).toEqual([{ movieId: 3, ratingCount: 12, ratingSum: 48, bayesianMean: 3.9, updatedAt: 0 }]);
  });

  it('finds the first date bronze holds events of, in one listing, and none in a lake without bronze', async () => {
    for (const key of ['c/bronze/events/dt=2026-11-22/hour=23/t-0-5-9.jsonl.gz', 'c/bronze/events/dt=2026-10-31/hour=04/t-0-0-4.jsonl.gz', 'c/bronze/quarantine/dt=2026-10-01/hour=00/t-1-0-0.jsonl.gz']) {
      await put(key, 'x');
    }
    expect(await lakeAt('c/').earliestBronzeDate()).toBe('2026-10-31');
    expect(await lakeAt('d/').earliestBronzeDate()).toBeUndefined();
  });

  it('finds the latest earlier date whose silver ratings have a receipt: a partition without one may be partial', async () => {
    for (const day of ['2026-11-20', '2026-11-22', '2026-11-24']) await put(`r/silver/_receipts/ratings/dt=${day}.json`, '{"rows":1}');
    await put('r/silver/ratings/dt=2026-11-23/20261124_1_a', silverParquet('silver_ratings', [[9, 90, 1, 4, 'e9']]));
    await put('r/silver/_receipts/user_features/dt=2026-11-23.json', '{"rows":1}');
    const lake = lakeAt('r/');
    expect(await lake.latestSilverDate('2026-11-24')).toBe('2026-11-22');
    expect(await lake.latestSilverDate('2026-11-30')).toBe('2026-11-24');
    expect(await lake.latestSilverDate('2026-11-20')).toBeUndefined();
    expect(await lakeAt('none/').latestSilverDate('2026-11-24')).toBeUndefined();
  });

  it('reads an empty partition (a day without ratings) as no rows', async () => {
    const lake = lakeAt('empty/');
    expect(await lake.readInteractions(DATE)).toEqual({ userIds: new Int32Array(0), movieIds: new Int32Array(0), ratings: new Float32Array(0), eventTimes: new Float64Array(0) });
    expect(await lake.readUserFeatures(DATE)).toEqual([]);
  });

  it('reads the catalog from the lake', async () => {
    await new S3EventLake(local.s3, local.bucket, 'c/').writeCatalog([{ movieId: 1, title: 'Toy Story (1995)', genres: ['Animation'] }]);
    expect(await lakeAt('c/').readCatalog()).toEqual([{ movieId: 1, title: 'Toy Story (1995)', genres: ['Animation'] }]);
  });
});
