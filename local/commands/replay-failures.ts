/**
 * `replay-failures`: the batches the MSK event source gave up on, fetched again from Kafka and fed
 * through the deployed consumer function (see failure-replay.ts). Every message it could not
 * replay stays in the queue, and the command exits 1.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { MSKEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { ConsumeCounts } from '../../lambdas/handlers/consume';
import { replayFailures, type ReplaySummary } from '../failure-replay';
import { kafkaClient, readKafkaRange } from '../kafka-event-source';
import { queueRegion, SqsFailureQueue } from '../sqs-failure-queue';
import { say } from '../output';

export interface ReplayFailuresOptions {
  queueUrl: string;
  brokers: string;
  /** The consumer function's name or ARN. */
  functionName: string;
  /** Sign in to the brokers with IAM (MSK's IAM access control); otherwise plaintext, unauthenticated. */
  iam: boolean;
  batchSize: number;
}

export async function replayFailedBatches(options: ReplayFailuresOptions): Promise<ReplaySummary> {
  const region = queueRegion(options.queueUrl);
  const kafka = kafkaClient(options.brokers, 'movierec-replay', options.iam ? region : undefined);
  const lambda = new LambdaClient({ region });
  const summary = await replayFailures({
    queue: new SqsFailureQueue(new SQSClient({ region }), options.queueUrl),
    // A group of its own for each range: it commits nothing, and the consumer's group is left alone.
    read: (range) => readKafkaRange(kafka.consumer({ groupId: `movierec-replay-${randomUUID()}` }), range),
    submit: (event) => invokeConsumer(lambda, options.functionName, event),
    batchSize: options.batchSize,
    say,
  });
  say(
    `Replayed ${summary.replayed} of ${summary.messages} failed batches: ${summary.records} records, ${summary.applied} applied, ` +
      `${summary.quarantined} quarantined${summary.kept > 0 ? `; ${summary.kept} kept in the queue (see above)` : ''}.`,
  );
  return summary;
}

async function invokeConsumer(lambda: LambdaClient, functionName: string, event: MSKEvent): Promise<ConsumeCounts> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }));
  const payload = JSON.parse(Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8') || 'null') as ConsumeCounts & { errorType?: string; errorMessage?: string };
  if (answer.FunctionError) throw new Error(`${functionName} failed the replayed batch: ${payload.errorType}: ${payload.errorMessage}`);
  return payload;
}
