import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBatchRunLog, MAX_CAUSE_CHARS } from '../../../lambdas/aws/dynamo-batch-run-log';
import { createTables, startDynamo, type LocalDynamo } from '../../helpers/dynalite';

describe('DynamoBatchRunLog against dynalite', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynamo();
    await createTables(dynamo, { runs: 'runs' });
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  it('keeps every run of a date in the order recorded, a long cause cut', async () => {
    const log = new DynamoBatchRunLog(dynamo.doc, 'runs');
    await log.record(
      { date: '2026-11-24', status: 'failed', error: 'AthenaQueryFailed', cause: 'x'.repeat(100_000), details: { asOf: 1 } },
      new Date('2026-11-25T01:00:00Z'),
    );
    await log.record(
      { date: '2026-11-24', status: 'succeeded', details: { asOf: 2, publish: { activated: true } } },
      new Date('2026-11-25T02:00:00Z'),
    );
    await log.record({ date: '2026-11-23', status: 'succeeded' }, new Date('2026-11-25T03:00:00Z'));

    const { Items } = await dynamo.doc.send(
      new QueryCommand({ TableName: 'runs', KeyConditionExpression: '#d = :d', ExpressionAttributeNames: { '#d': 'date' }, ExpressionAttributeValues: { ':d': '2026-11-24' } }),
    );
    expect(Items!.map((i) => [i.recordedAt, i.status, i.error])).toEqual([
      ['2026-11-25T01:00:00.000Z', 'failed', 'AthenaQueryFailed'],
      ['2026-11-25T02:00:00.000Z', 'succeeded', undefined],
    ]);
    expect((Items![0]!.cause as string).length).toBe(MAX_CAUSE_CHARS);
    expect(Items![1]!.details).toEqual({ asOf: 2, publish: { activated: true } });
  });
});
