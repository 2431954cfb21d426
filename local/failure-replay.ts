/**
 * Replays the consumer's failed batches. When the MSK event source gives up on a batch, it sends a
 * record of it to the failure queue: the topic, partitions and offsets, not the events. This reads
 * each record, fetches those offsets from Kafka again, and feeds them through the consumer in
 * MSK-shaped batches; the consumer is idempotent, so a replay of events it has applied changes
 * nothing. A queue message is deleted only once every record it names went through; one whose
 * records Kafka no longer holds, or that cannot be read, stays, and the summary says why.
 */
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import type { ConsumeCounts } from '../lambdas/handlers/consume';
import { mskEvent } from './msk-records';

/** A run of offsets of one partition. */
export interface KafkaRange {
  topic: string;
  partition: number;
  first: number;
  last: number;
}

/** What the event source says of a batch it gave up on. */
export interface FailedBatch {
  condition: string;
  eventSourceArn: string;
  ranges: KafkaRange[];
}

export interface QueueMessage {
  id: string;
  body: string;
}

/** The failure queue, as the replay uses it. */
export interface FailureQueue {
  /** The next messages, hidden from other readers while the replay works on them; none when the queue is empty. */
  receive(): Promise<QueueMessage[]>;
  remove(message: QueueMessage): Promise<void>;
}

/** The records of a range that Kafka still holds, in offset order; `complete` when they reach its last offset. */
export type RangeReader = (range: KafkaRange) => Promise<{ records: MSKRecord[]; complete: boolean }>;

export interface ReplayOptions {
  queue: FailureQueue;
  read: RangeReader;
  /** Feeds one MSK event through the consumer. */
  submit: (event: MSKEvent) => Promise<ConsumeCounts>;
  /** Records per MSK event, as the event source's batch size. */
  batchSize: number;
  /** One line per message handled. */
  say: (line: string) => void;
}

export interface ReplaySummary {
  messages: number;
  replayed: number;
  kept: number;
  records: number;
  applied: number;
  quarantined: number;
}

export class MalformedFailureRecord extends Error {
  override name = 'MalformedFailureRecord';
}

/**
 * The ranges of a failure record: `KafkaBatchInfo.recordsInfo` ("<topic>-<partition>": first and
 * last offset) in the SQS and SNS form, or the records of `payload` in the Kafka and S3 form.
 */
export function parseFailedBatch(body: string): FailedBatch {
  let record: {
    requestContext?: { condition?: string };
    KafkaBatchInfo?: { eventSourceArn?: string; recordsInfo?: Record<string, { firstRecordOffset?: string; lastRecordOffset?: string }> };
    payload?: { records?: Record<string, { topic: string; partition: number; offset: number }[]> };
  };
  try {
    record = JSON.parse(body) as typeof record;
  } catch {
    throw new MalformedFailureRecord('the message is not JSON');
  }
  const info = record.KafkaBatchInfo;
  if (!info) throw new MalformedFailureRecord('the message has no KafkaBatchInfo: it is not a record of a failed Kafka batch');
  const ranges: KafkaRange[] = [];
  for (const [key, offsets] of Object.entries(info.recordsInfo ?? {})) {
    const at = key.lastIndexOf('-');
    const [first, last] = [Number(offsets.firstRecordOffset), Number(offsets.lastRecordOffset)];
    if (at < 1 || !/^\d+$/.test(key.slice(at + 1)) || !Number.isSafeInteger(first) || !Number.isSafeInteger(last) || first > last) {
      throw new MalformedFailureRecord(`recordsInfo "${key}" does not name a partition and its offsets`);
    }
    ranges.push({ topic: key.slice(0, at), partition: Number(key.slice(at + 1)), first, last });
  }
  for (const records of Object.values(record.payload?.records ?? {})) {
    const offsets = records.map((r) => r.offset);
    if (offsets.length > 0) ranges.push({ topic: records[0]!.topic, partition: records[0]!.partition, first: Math.min(...offsets), last: Math.max(...offsets) });
  }
  if (ranges.length === 0) throw new MalformedFailureRecord('the message names no records');
  return { condition: record.requestContext?.condition ?? 'unknown', eventSourceArn: info.eventSourceArn ?? 'replay', ranges };
}

export async function replayFailures(options: ReplayOptions): Promise<ReplaySummary> {
  const summary: ReplaySummary = { messages: 0, replayed: 0, kept: 0, records: 0, applied: 0, quarantined: 0 };
  const seen = new Set<string>();
  for (;;) {
    const messages = (await options.queue.receive()).filter((m) => !seen.has(m.id));
    if (messages.length === 0) return summary;
    for (const message of messages) {
      seen.add(message.id);
      summary.messages++;
      const outcome = await replayOne(message, options, summary);
      if (outcome === 'replayed') {
        await options.queue.remove(message);
        summary.replayed++;
      } else {
        summary.kept++;
        options.say(`kept ${message.id}: ${outcome}`);
      }
    }
  }
}

async function replayOne(message: QueueMessage, options: ReplayOptions, summary: ReplaySummary): Promise<'replayed' | string> {
  let batch: FailedBatch;
  try {
    batch = parseFailedBatch(message.body);
  } catch (err) {
    if (err instanceof MalformedFailureRecord) return err.message;
    throw err;
  }
  const fetched: MSKRecord[] = [];
  for (const range of batch.ranges) {
    const { records, complete } = await options.read(range);
    const name = `${range.topic}-${range.partition} offsets ${range.first}-${range.last}`;
    if (!complete) return `${name}: Kafka no longer holds them all (${records.length} found; the topic's retention may have passed)`;
    fetched.push(...records);
  }
  for (let start = 0; start < fetched.length; start += options.batchSize) {
    const counts = await options.submit(mskEvent({ eventSourceArn: batch.eventSourceArn, bootstrapServers: 'replay' }, fetched.slice(start, start + options.batchSize)));
    summary.records += counts.received;
    summary.applied += counts.applied;
    summary.quarantined += counts.quarantined;
  }
  const ranges = batch.ranges.map((r) => `${r.topic}-${r.partition} ${r.first}-${r.last}`).join(', ');
  options.say(`replayed ${message.id} (${batch.condition}): ${fetched.length} records of ${ranges}`);
  return 'replayed';
}
