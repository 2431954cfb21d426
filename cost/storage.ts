/**
 * What the system stores once it holds the history of the day's scale, from sizes measured on the
 * metered day: DynamoDB items as DynamoDB sizes them (plus the 100 bytes it bills per item), each
 * kind's average size times how many there are; the lake's objects, each area's bytes per event or
 * per partition times what the retention keeps.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { itemSize } from 'dynalite/db/index.js';
import type { LocalDynamo } from '../test/helpers/dynalite';

/** DynamoDB bills this much per item on top of its attributes. */
const ITEM_OVERHEAD_BYTES = 100;
/** Items sized to average a kind: enough for a steady mean, few enough to scan at once. */
const SAMPLE_ITEMS = 20_000;

export interface ItemSizes {
  /** A user's rating of a movie, a user's features, a movie (catalog entry and features). */
  rating: number;
  userFeatures: number;
  movie: number;
}

/** Average sizes of the kinds of items, from a sample of the users table and the whole movies table. */
export async function itemSizes(dynamo: LocalDynamo, tables: { users: string; movies: string }): Promise<ItemSizes> {
  const ratings: number[] = [];
  const features: number[] = [];
  for (const item of await scan(dynamo, tables.users, SAMPLE_ITEMS)) (item.movieId?.N === '0' ? features : ratings).push(itemSize(item));
  const movies = (await scan(dynamo, tables.movies, SAMPLE_ITEMS)).filter((m) => m.movieId?.N !== '0').map((m) => itemSize(m));
  const mean = (sizes: number[]) => (sizes.length === 0 ? 0 : sizes.reduce((a, b) => a + b, 0) / sizes.length) + ITEM_OVERHEAD_BYTES;
  return { rating: mean(ratings), userFeatures: mean(features), movie: mean(movies) };
}

/** Bytes of the objects under a prefix. */
export async function bytesUnder(s3: S3Client, bucket: string, prefix: string): Promise<{ objects: number; bytes: number }> {
  let objects = 0;
  let bytes = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      objects++;
      bytes += o.Size ?? 0;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { objects, bytes };
}

async function scan(dynamo: LocalDynamo, table: string, limit: number): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, Limit: Math.min(1000, limit - items.length) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start && items.length < limit);
  return items;
}
