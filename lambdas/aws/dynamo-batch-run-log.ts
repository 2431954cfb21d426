/**
 * The batch run log in DynamoDB: one item per run, under its date and the time it was recorded, so
 * that a Query of a date lists its runs in order. A failure's cause (a stack trace, at worst) is
 * cut to a size that keeps the item far below DynamoDB's 400 KB.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BatchRun, BatchRunLog } from '../core/ports';

export const MAX_CAUSE_CHARS = 16_384;

export class DynamoBatchRunLog implements BatchRunLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(run: BatchRun, at: Date): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          date: run.date,
          recordedAt: at.toISOString(),
          status: run.status,
          ...(run.error === undefined ? {} : { error: run.error }),
          ...(run.cause === undefined ? {} : { cause: run.cause.slice(0, MAX_CAUSE_CHARS) }),
          details: run.details ?? {},
        },
      }),
    );
  }
}
