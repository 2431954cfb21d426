/**
 * The local stand-in for a Kafka producer and broker: it gives each message a partition (by key,
 * as Kafka's default partitioner does) and the next offset of that partition, kept in SQLite so
 * offsets never repeat across restarts, and hands the consumer MSK-shaped batches.
 */
import type { MSKEvent } from 'aws-lambda';
import { mskEvent, mskRecord } from './msk-records';
import type { Db } from './sqlite/database';

export const TOPIC = 'user-events';
export const PARTITIONS = 4;
/** Records per MSK batch, as the event source mapping's batch size. */
export const BATCH_SIZE = 1000;

export interface Message {
  /** The Kafka message key: the user id, when the message has one. */
  key: string | null;
  /** The message value, exactly as it would be put on the topic. */
  value: Buffer;
}

export class EmbeddedProducer {
  private readonly reserve;
  private readonly advance;

  constructor(
    db: Db,
    readonly topic = TOPIC,
    private readonly partitions = PARTITIONS,
  ) {
    const read = db.prepare<[string, number], { next_offset: number }>(
      'SELECT next_offset FROM kafka_offsets WHERE topic = ? AND partition = ?',
    );
    const write = db.prepare(
      `INSERT INTO kafka_offsets (topic, partition, next_offset) VALUES (?, ?, ?)
       ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
    );
    this.advance = db.prepare(
      `INSERT INTO kafka_offsets (topic, partition, next_offset) VALUES (?, ?, ?)
       ON CONFLICT (topic, partition) DO UPDATE SET next_offset = max(next_offset, excluded.next_offset)`,
    );
    // IMMEDIATE: it reads, then writes; a deferred transaction would fail at once on a busy database.
    const reserve = db.transaction((partition: number, count: number): number => {
      const first = read.get(this.topic, partition)?.next_offset ?? 0;
      write.run(this.topic, partition, first + count);
      return first;
    });
    this.reserve = (partition: number, count: number) => reserve.immediate(partition, count);
  }

  /** Makes the next offsets of a partition come after `offset` (used by imported batches). */
  advancePast(topic: string, partition: number, offset: number): void {
    this.advance.run(topic, partition, offset + 1);
  }

  /** Turns messages into MSK events of at most `batchSize` records each, in message order. */
  batches(messages: readonly Message[], batchSize = BATCH_SIZE, now = Date.now()): MSKEvent[] {
    const chunks: Message[][] = [];
    for (let start = 0; start < messages.length; start += batchSize) chunks.push(messages.slice(start, start + batchSize));
    return this.place(chunks).map((placed) =>
      mskEvent(
        { eventSourceArn: 'local:embedded', bootstrapServers: 'embedded' },
        placed.flatMap(({ partition, firstOffset, items }) =>
          items.map((m, i) => mskRecord({ topic: this.topic, partition, offset: firstOffset + i, timestamp: now }, m.key, m.value)),
        ),
      ),
    );
  }

  /**
   * Where each batch's messages go: grouped by partition (in partition order, each in message
   * order), with the first of the offsets they take; the batches take them in turn, reserved at
   * once. `keyOf` and `valueOf` give a message's key and, for a message without one, the value its
   * partition is hashed from.
   */
  place<T>(
    batches: readonly (readonly T[])[],
    keyOf: (item: T) => string | null = (m) => (m as Message).key,
    valueOf: (item: T) => Buffer = (m) => (m as Message).value,
  ): { partition: number; firstOffset: number; items: T[] }[][] {
    const grouped = batches.map((batch) => {
      const byPartition = new Map<number, T[]>();
      for (const item of batch) {
        const key = keyOf(item);
        const p = (key === null ? hashBytes(valueOf(item)) : hashKey(key)) % this.partitions;
        let list = byPartition.get(p);
        if (!list) byPartition.set(p, (list = []));
        list.push(item);
      }
      return [...byPartition].sort((a, b) => a[0] - b[0]);
    });
    const next = new Map<number, number>();
    for (const [partition, items] of grouped.flat()) next.set(partition, (next.get(partition) ?? 0) + items.length);
    for (const [partition, count] of next) next.set(partition, this.reserve(partition, count));
    return grouped.map((batch) =>
      batch.map(([partition, items]) => {
        const firstOffset = next.get(partition)!;
        next.set(partition, firstOffset + items.length);
        return { partition, firstOffset, items };
      }),
    );
  }
}

/** A message for one event object: the key is its user id, as producers are asked to set it. */
export function messageFor(event: unknown): Message {
  return { key: keyFor(event), value: Buffer.from(JSON.stringify(event) ?? 'null') };
}

/** The message key of an event object: its user id, when it has one. */
export function keyFor(event: unknown): string | null {
  const userId = typeof event === 'object' && event !== null ? (event as { user_id?: unknown }).user_id : undefined;
  return typeof userId === 'number' || typeof userId === 'string' ? String(userId) : null;
}

// FNV-1a of the key's UTF-8 bytes: cheap and stable; any stable hash keeps one user's events in
// order on one partition.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashBytes(bytes: Uint8Array): number {
  let h = FNV_OFFSET;
  for (const b of bytes) h = Math.imul(h ^ b, FNV_PRIME);
  return h >>> 0;
}

/** hashBytes of the key's UTF-8, without encoding it when it is ASCII (a user id always is). */
function hashKey(key: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) return hashBytes(Buffer.from(key));
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h >>> 0;
}
