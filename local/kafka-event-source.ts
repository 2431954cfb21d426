/**
 * Reads `user-events` from a real Kafka with kafkajs (when KAFKA_BROKERS is set) and hands each
 * fetched batch, as an MSK event, to the consumer path. Offsets are committed only after a batch
 * is consumed, so a crash means a redelivery, which the consumer absorbs, never a loss.
 */
import type { MSKEvent } from 'aws-lambda';
import { Kafka, logLevel, type Consumer, type EachBatchPayload } from 'kafkajs';
import type { ConsumeCounts } from '../lambdas/handlers/consume';

/** The part of a kafkajs consumer the event source drives; tests pass a fake. */
export type KafkaConsumer = Pick<Consumer, 'connect' | 'subscribe' | 'run' | 'disconnect'>;

export interface KafkaSourceOptions {
  topic: string;
  submit: (event: MSKEvent) => Promise<ConsumeCounts>;
}

export function kafkaConsumer(brokers: string, groupId: string): KafkaConsumer {
  const kafka = new Kafka({
    clientId: 'movierec-local',
    brokers: brokers.split(',').map((b) => b.trim()).filter(Boolean),
    logLevel: logLevel.WARN,
  });
  return kafka.consumer({ groupId });
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
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'local:kafka',
    bootstrapServers: 'local',
    records: {
      [`${batch.topic}-${batch.partition}`]: batch.messages.map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: Number(m.offset),
        timestamp: Number(m.timestamp),
        timestampType: 'CREATE_TIME',
        key: m.key ? m.key.toString('base64') : '',
        value: m.value ? m.value.toString('base64') : '',
        headers: [],
      })),
    },
  };
}
