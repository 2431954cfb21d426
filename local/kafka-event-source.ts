/**
 * Kafka through kafkajs: the local event source, which reads `user-events` from a real Kafka (when
 * KAFKA_BROKERS is set) and hands each fetched batch, as an MSK event, to the consumer path; and
 * the reader of a range of offsets, which the replay of failed batches fetches again. The event
 * source commits offsets only after a batch is consumed, so a crash means a redelivery, which the
 * consumer absorbs, never a loss.
 */
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { mskEvent, mskRecord } from './msk-records';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaMessage } from 'kafkajs';
import type { ConsumeCounts } from '../lambdas/handlers/consume';
import type { KafkaRange } from './failure-replay';

/** The part of a kafkajs consumer the event source drives; tests pass a fake. */
export type KafkaConsumer = Pick<Consumer, 'connect' | 'subscribe' | 'run' | 'disconnect'>;

/** The part of a kafkajs consumer that reads a range again: it also seeks. */
export type RangeConsumer = KafkaConsumer & Pick<Consumer, 'seek'>;

/** A Kafka client; with `iamRegion`, it signs in to MSK with IAM (TLS, SASL OAUTHBEARER) as the AWS credentials in use. */
export function kafkaClient(brokers: string, clientId: string, iamRegion?: string): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.split(',').map((b) => b.trim()).filter(Boolean),
    logLevel: logLevel.WARN,
    ...(iamRegion
      ? {
          ssl: true,
          sasl: { mechanism: 'oauthbearer' as const, oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region: iamRegion })).token }) },
        }
      : {}),
  });
}

export interface KafkaSourceOptions {
  topic: string;
  submit: (event: MSKEvent) => Promise<ConsumeCounts>;
}

export function kafkaConsumer(brokers: string, groupId: string): KafkaConsumer {
  return kafkaClient(brokers, 'movierec-local').consumer({ groupId });
}

/** Starts consuming; resolves once the consumer runs. Call the returned function to stop. */
export async function startKafkaSource(consumer: KafkaConsumer, options: KafkaSourceOptions): Promise<() => Promise<void>> {
  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
      if (batch.messages.length === 0) return;
      await options.submit(toMskEvent(batch));
      resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      await heartbeat();
    },
  });
  return () => consumer.disconnect();
}

export function toMskEvent(batch: EachBatchPayload['batch']): MSKEvent {
  return mskEvent(
    { eventSourceArn: 'local:kafka', bootstrapServers: 'local' },
    batch.messages.map((m) => mskRecordOf(batch.topic, batch.partition, m)),
  );
}

function mskRecordOf(topic: string, partition: number, m: KafkaMessage): MSKRecord {
  return mskRecord({ topic, partition, offset: Number(m.offset), timestamp: Number(m.timestamp) }, m.key, m.value);
}

/**
 * The records of a range that the topic still holds: the consumer (of a group of its own, which
 * commits nothing) seeks to the first offset and reads until the last, or until nothing more comes
 * for `idleMs` (the range's records are gone: past the topic's retention).
 */
export async function readKafkaRange(consumer: RangeConsumer, range: KafkaRange, idleMs = 15_000): Promise<{ records: MSKRecord[]; complete: boolean }> {
  const found = new Map<number, MSKRecord>();
  let reachedLast = false;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [range.topic], fromBeginning: false });
    let resolve = () => {};
    const done = new Promise<void>((r) => (resolve = r));
    let idle = setTimeout(() => resolve(), idleMs);
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch }) => {
        if (batch.topic !== range.topic || batch.partition !== range.partition) return;
        clearTimeout(idle);
        idle = setTimeout(() => resolve(), idleMs);
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset >= range.first && offset <= range.last) found.set(offset, mskRecordOf(batch.topic, batch.partition, m));
          if (offset >= range.last) reachedLast = true;
        }
        if (reachedLast) {
          clearTimeout(idle);
          resolve();
        }
      },
    });
    consumer.seek({ topic: range.topic, partition: range.partition, offset: String(range.first) });
    await done;
  } finally {
    await consumer.disconnect();
  }
  return { records: [...found.values()].sort((a, b) => a.offset - b.offset), complete: reachedLast };
}
