import { describe, expect, it } from 'vitest';
import type { MSKEvent } from 'aws-lambda';
import { createConsumeHandler } from '../../../lambdas/handlers/consume';
import { startKafkaSource } from '../../../local/kafka-event-source';
import { FakeConsumer } from '../../helpers/fake-kafka';
import { recordingLogger, sqliteStores } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

const event = (userId: number, movieId: number, eventId: string) =>
  JSON.stringify({ event_id: eventId, type: 'rating', user_id: userId, movie_id: movieId, rating: 4, timestamp: '2026-11-23T10:00:00Z' });

describe('Kafka event source (kafkajs adapter)', () => {
  const tempDir = useTempDir();

  it('consumes each fetched batch through the consumer and commits only after it', async () => {
    const stores = sqliteStores(tempDir());
    const consume = createConsumeHandler({ lake: stores.lake, features: stores.features, logger: recordingLogger() });
    const submitted: MSKEvent[] = [];
    const consumer = new FakeConsumer();
    const stop = await startKafkaSource(consumer, {
      topic: 'user-events',
      submit: (e) => {
        submitted.push(e);
        return consume(e);
      },
    });
    expect(consumer.calls).toEqual([
      'connect',
      'subscribe {"topics":["user-events"],"fromBeginning":true}',
      'run autoResolve=false',
    ]);

    await consumer.deliver(2, [
      { offset: '40', value: event(1, 10, 'k1'), key: '1' },
      { offset: '41', value: null },
      { offset: '42', value: event(2, 10, 'k2'), key: '2' },
    ]);
    expect(consumer.resolved).toEqual(['42']);
    const records = submitted[0]!.records['user-events-2']!;
    expect(records.map((r) => [r.offset, r.partition, r.timestamp])).toEqual([
      [40, 2, Date.UTC(2026, 10, 24)],
      [41, 2, Date.UTC(2026, 10, 24)],
      [42, 2, Date.UTC(2026, 10, 24)],
    ]);
    expect(stores.db.prepare('SELECT COUNT(*) FROM ratings').pluck().get()).toBe(2);
    expect(stores.db.prepare('SELECT reason FROM quarantine_records').pluck().all()).toEqual(['value is empty']);

    await stop();
    expect(consumer.calls.at(-1)).toBe('disconnect');
    stores.db.close();
  });

  it('does not commit a batch whose consumption failed, so Kafka delivers it again', async () => {
    const consumer = new FakeConsumer();
    await startKafkaSource(consumer, {
      topic: 'user-events',
      submit: async () => {
        throw new Error('database is locked');
      },
    });
    await expect(consumer.deliver(0, [{ offset: '7', value: event(1, 1, 'a') }])).rejects.toThrow('database is locked');
    expect(consumer.resolved).toEqual([]);
  });
});
