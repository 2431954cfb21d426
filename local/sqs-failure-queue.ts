/**
 * The consumer's failure queue on SQS, for the replay: messages are received hidden from other
 * readers for the time a replay may take, and deleted only once replayed.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FailureQueue, QueueMessage } from './failure-replay';

/** How long a received message stays hidden: long enough to fetch and replay a batch. */
const VISIBILITY_SECONDS = 900;

export class SqsFailureQueue implements FailureQueue {
  private readonly receipts = new Map<string, string>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async receive(): Promise<QueueMessage[]> {
    const { Messages } = await this.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: VISIBILITY_SECONDS }),
    );
    return (Messages ?? []).map((m) => {
      this.receipts.set(m.MessageId!, m.ReceiptHandle!);
      return { id: m.MessageId!, body: m.Body ?? '' };
    });
  }

  async remove(message: QueueMessage): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: this.receipts.get(message.id) }));
  }
}

/** The region of an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>). */
export function queueRegion(queueUrl: string): string {
  const m = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/\d{12}\/[\w-]+$/.exec(queueUrl);
  if (!m) throw new Error(`${JSON.stringify(queueUrl)} is not an SQS queue URL like https://sqs.us-east-1.amazonaws.com/123456789012/name`);
  return m[1]!;
}
