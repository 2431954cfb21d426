import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsumeHandler } from '../../../lambdas/handlers/consume';
import { parseFailedBatch, replayFailures, type KafkaRange } from '../../../local/failure-replay';
import { readKafkaRange } from '../../../local/kafka-event-source';
import { SqsFailureQueue } from '../../../local/sqs-failure-queue';
import { FakeConsumer, type FakeMessage } from '../../helpers/fake-kafka';
import { recordingLogger, sqliteStores } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/movierec-prod-failures';
const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/events/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2';

const rating = (userId: number, movieId: number, value: number) =>
  JSON.stringify({ event_id: `e-${userId}-${movieId}`, type: 'rating', user_id: userId, movie_id: movieId, rating: value, timestamp: '2026-11-23T10:00:00Z' });

/** What the event source sends to an SQS destination when it gives up on a batch (AWS's documented form). */
const failureRecord = (recordsInfo: Record<string, [number, number]>) =>
  JSON.stringify({
    requestContext: { requestId: 'r', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:consume', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-11-24T00:38:06.021Z',
    KafkaBatchInfo: {
      batchSize: 3,
      eventSourceArn: CLUSTER,
      bootstrapServers: 'b-1.events.kafka.eu-west-1.amazonaws.com:9098',
      payloadSize: 2039,
      recordsInfo: Object.fromEntries(
        Object.entries(recordsInfo).map(([key, [first, last]]) => [
          key,
          { firstRecordOffset: String(first), lastRecordOffset: String(last), firstRecordTimestamp: '2026-11-24T00:38:04.835Z', lastRecordTimestamp: '2026-11-24T00:38:05.580Z' },
        ]),
      ),
    },
  });

/** The topic as Kafka holds it now: partition 0 from offset 10, partition 1 from offset 4 (older records are gone). */
const LOGS: Record<string, FakeMessage[]> = {
  'user-events-0': [
    { offset: '10', value: rating(1, 100, 4), key: '1' },
    { offset: '11', value: rating(2, 100, 3.5), key: '2' },
    { offset: '12', value: '{not json', key: '3' },
    { offset: '13', value: rating(1, 101, 5), key: '1' },
  ],
  'user-events-1': [
    { offset: '4', value: rating(5, 100, 2), key: '5' },
    { offset: '5', value: rating(6, 102, 4.5), key: '6' },
  ],
};

describe('replay of failed batches (npm run local -- replay-failures)', () => {
  const tempDir = useTempDir();
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());

  /** The failure queue (SQS has no local server: mocked), handing out `bodies` once. */
  function queueOf(bodies: string[]) {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: bodies.map((Body, i) => ({ MessageId: `m${i + 1}`, ReceiptHandle: `h${i + 1}`, Body })) })
      .resolves({});
    sqs.on(DeleteMessageCommand).resolves({});
    return new SqsFailureQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE);
  }

  function replayInto(dir: string, bodies: string[]) {
    const stores = sqliteStores(dir);
    const consume = createConsumeHandler({ lake: stores.lake, features: stores.features, logger: recordingLogger() });
    const lines: string[] = [];
    const consumers: FakeConsumer[] = [];
    const run = replayFailures({
      queue: queueOf(bodies),
      read: (range: KafkaRange) => {
        const consumer = new FakeConsumer(LOGS);
        consumers.push(consumer);
        return readKafkaRange(consumer, range, 50);
      },
      submit: consume,
      batchSize: 2,
      say: (line) => lines.push(line),
    });
    return { stores, lines, consumers, run };
  }

  it('fetches the offsets each failure record names, feeds them through the consumer, and deletes the record', async () => {
    const { stores, lines, consumers, run } = replayInto(tempDir(), [failureRecord({ 'user-events-0': [10, 12], 'user-events-1': [5, 5] })]);
    expect(await run).toEqual({ messages: 1, replayed: 1, kept: 0, records: 4, applied: 3, quarantined: 1 });
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: QUEUE, ReceiptHandle: 'h1' }]);
    expect(stores.db.prepare('SELECT user_id, movie_id, rating FROM ratings ORDER BY user_id').raw().all()).toEqual([
      [1, 100, 4],
      [2, 100, 3.5],
      [6, 102, 4.5],
    ]);
    // Offset 13, past the range, is not replayed; the bad record is quarantined with its reason.
    expect(stores.db.prepare('SELECT COUNT(*) FROM quarantine_records').pluck().get()).toBe(1);
    expect(consumers[0]!.calls).toEqual(['connect', 'subscribe {"topics":["user-events"],"fromBeginning":false}', 'run autoResolve=false', 'seek user-events-0 10', 'disconnect']);
    expect(lines).toEqual(['replayed m1 (RetryAttemptsExhausted): 4 records of user-events-0 10-12, user-events-1 5-5']);
    stores.db.close();
  });

  it('changes nothing when the records were applied already: the consumer is idempotent', async () => {
    const dir = tempDir();
    const body = failureRecord({ 'user-events-0': [10, 11] });
    const first = replayInto(dir, [body]);
    await first.run;
    first.stores.db.close();
    sqs.reset();
    const again = replayInto(dir, [body]);
    expect(await again.run).toMatchObject({ replayed: 1, records: 2, applied: 0 });
    again.stores.db.close();
  });

  it('keeps a record whose offsets Kafka no longer holds, or that it cannot read, and says why', async () => {
    const { stores, lines, run } = replayInto(tempDir(), [failureRecord({ 'user-events-1': [1, 5] }), '{"requestContext": {}}', 'not json']);
    expect(await run).toMatchObject({ messages: 3, replayed: 0, kept: 3, records: 0 });
    expect(sqs.commandCalls(DeleteMessageCommand)).toEqual([]);
    expect(lines).toEqual([
      "kept m1: user-events-1 offsets 1-5: Kafka no longer holds them all (0 found; the topic's retention may have passed)",
      'kept m2: the message has no KafkaBatchInfo: it is not a record of a failed Kafka batch',
      'kept m3: the message is not JSON',
    ]);
    expect(stores.db.prepare('SELECT COUNT(*) FROM ratings').pluck().get()).toBe(0);
    stores.db.close();
  });

  it("reads the topic and partition from a record's key, topic names with hyphens included", () => {
    const batch = parseFailedBatch(failureRecord({ 'user-events-eu-12': [7, 9] }));
    expect(batch).toEqual({ condition: 'RetryAttemptsExhausted', eventSourceArn: CLUSTER, ranges: [{ topic: 'user-events-eu', partition: 12, first: 7, last: 9 }] });
  });
});
