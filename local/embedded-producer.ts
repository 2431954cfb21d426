/**
 * The local stand-in for a Kafka producer and broker: it gives each message a partition (by key,
 * as Kafka's default partitioner does) and the next offset of that partition, kept in SQLite so
 * offsets never repeat across restarts, and hands the consumer MSK-shaped batches.
 */
import type { MSKEvent, MSKRecord } from 'aws-lambda';
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
    private readonly topic = TOPIC,
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
    const out: MSKEvent[] = [];
    for (let start = 0; start < messages.length; start += batchSize) {
      const chunk = messages.slice(start, start + batchSize);
      const byPartition = new Map<number, Message[]>();
      for (const m of chunk) {
        const p = partitionFor(m, this.partitions);
        let list = byPartition.get(p);
        if (!list) byPartition.set(p, (list = []));
        list.push(m);
      }
      const records: MSKRecord[] = [];
      for (const [partition, list] of [...byPartition].sort((a, b) => a[0] - b[0])) {
        const first = this.reserve(partition, list.length);
        records.push(...list.map((m, i) => mskRecord({ topic: this.topic, partition, offset: first + i, timestamp: now }, m.key, m.value)));
      }
      out.push(mskEvent({ eventSourceArn: 'local:embedded', bootstrapServers: 'embedded' }, records));
    }
    return out;
  }
}

/** A message for one event object: the key is its user id, as producers are asked to set it. */
export function messageFor(event: unknown): Message {
  const userId = typeof event === 'object' && event !== null ? (event as { user_id?: unknown }).user_id : undefined;
  return {
    key: typeof userId === 'number' || typeof userId === 'string' ? String(userId) : null,
    value: Buffer.from(JSON.stringify(event) ?? 'null'),
  };
}

function partitionFor(message: Message, partitions: number): number {
  const bytes = message.key === null ? message.value : Buffer.from(message.key);
  // FNV-1a: cheap and stable; any stable hash keeps one user's events in order on one partition.
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return (h >>> 0) % partitions;
}
