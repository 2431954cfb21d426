/**
 * DynamoDB's batch calls take part of a request when the table is busy and return the rest as
 * unprocessed. These helpers split work into the calls' size limits and send the unprocessed part
 * again after a jittered, growing pause, until all is done or the attempts run out.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchGetCommandInput,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TRANSIENT_ERROR } from '../core/transient-error';

export const BATCH_GET_LIMIT = 100;
export const BATCH_WRITE_LIMIT = 25;

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;
type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>;
type GetRequests = NonNullable<BatchGetCommandInput['RequestItems']>;

/** Reads items by key from several tables; returns them per table. */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  keysByTable: Record<string, Key[]>,
  options: RetryOptions = {},
): Promise<Record<string, Item[]>> {
  const out: Record<string, Item[]> = Object.fromEntries(Object.keys(keysByTable).map((t) => [t, []]));
  const all = Object.entries(keysByTable).flatMap(([table, keys]) => keys.map((key) => ({ table, key })));
  for (let i = 0; i < all.length; i += BATCH_GET_LIMIT) {
    let pending: GetRequests = {};
    for (const { table, key } of all.slice(i, i + BATCH_GET_LIMIT)) (pending[table] ??= { Keys: [] }).Keys!.push(key);
    await withRetries(options, async () => {
      const result = await doc.send(new BatchGetCommand({ RequestItems: pending }));
      for (const [table, items] of Object.entries(result.Responses ?? {})) out[table]!.push(...items);
      pending = result.UnprocessedKeys ?? {};
      return Object.keys(pending).length === 0;
    });
  }
  return out;
}

/** Puts items into a table, 25 a call. */
export async function batchPut(
  doc: DynamoDBDocumentClient,
  table: string,
  items: readonly Item[],
  options: RetryOptions = {},
): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT) {
    let pending: WriteRequests = { [table]: items.slice(i, i + BATCH_WRITE_LIMIT).map((Item) => ({ PutRequest: { Item } })) };
    await withRetries(options, async () => {
      const result = await doc.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = result.UnprocessedItems ?? {};
      return Object.keys(pending).length === 0;
    });
  }
}

/** Calls `attempt` until it reports completion, pausing with full jitter between calls. */
async function withRetries(options: RetryOptions, attempt: () => Promise<boolean>): Promise<void> {
  const attempts = options.attempts ?? 8;
  const base = options.baseMs ?? 50;
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  for (let n = 0; n < attempts; n++) {
    if (await attempt()) return;
    await sleep(Math.random() * base * 2 ** n);
  }
  const err = new Error(`DynamoDB left items unprocessed after ${attempts} attempts`);
  err.name = TRANSIENT_ERROR;
  throw err;
}
