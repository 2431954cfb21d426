import { describe, expect, it } from 'vitest';
import { DEFAULTS, readStageConfig } from '../../lib/config';
import { CLUSTER_ARN, MSK_NETWORK } from '../helpers/cdk-app';

const reader = (context: Record<string, unknown>) => (key: string) => context[key];

describe('stage configuration from the CDK context', () => {
  const base = { mskClusterArn: CLUSTER_ARN, mskNetwork: MSK_NETWORK };
  it('fills every optional value with its documented default', () => {
    expect(readStageConfig(reader({ mskClusterArn: CLUSTER_ARN, mskNetwork: { access: 'existing' } }))).toEqual({
      ...DEFAULTS,
      mskClusterArn: CLUSTER_ARN,
      mskNetwork: { access: 'existing' },
    });
  });

  it("takes the stage's own values over the top-level ones, and -c strings as numbers", () => {
    const config = readStageConfig(
      reader({
        stage: 'prod',
        topic: 'top-level-topic',
        consumerBatchSize: '500',
        stages: {
          prod: {
            mskClusterArn: CLUSTER_ARN,
            mskNetwork: JSON.stringify(MSK_NETWORK),
            topic: 'prod-events',
            corsOrigins: 'https://a.example, https://b.example',
            consumerPollers: '1-4',
            consumerRetryAttempts: '5',
          },
        },
      }),
    );
    expect(config).toMatchObject({
      stage: 'prod',
      topic: 'prod-events',
      consumerBatchSize: 500,
      corsOrigins: ['https://a.example', 'https://b.example'],
      mskNetwork: MSK_NETWORK,
      consumerPollers: { min: 1, max: 4 },
      consumerRetryAttempts: 5,
    });
  });

  it('reads the traced functions as a list, a comma-separated string, or none', () => {
    const traced = (tracing: unknown) => readStageConfig(reader({ ...base, tracing })).tracing;
    expect(traced(['consume', 'batch'])).toEqual(['consume', 'batch']);
    expect(traced('recommend, batch,recommend')).toEqual(['recommend', 'batch']);
    expect(traced('none')).toEqual([]);
    expect(readStageConfig(reader(base)).tracing).toEqual(['batch']);
  });

  it.each([
    [{}, 'context "mskClusterArn" (stage dev) is required: an MSK cluster ARN'],
    [{ mskClusterArn: CLUSTER_ARN }, 'context "mskNetwork" (stage dev) is required: {"access": "existing"}'],
    [{ ...base, mskNetwork: { access: 'endpoints', vpcId: 'vpc-1' } }, 'context "mskNetwork" (stage dev) must be {"access": "existing"}'],
    [{ ...base, consumerRetryAttempts: 5 }, 'context "consumerRetryAttempts" (stage dev) needs provisioned pollers (consumerPollers)'],
    [{ ...base, consumerPollers: { min: 3, max: 2 } }, 'context "consumerPollers" (stage dev) must be "on-demand" or provisioned pollers'],
    [{ mskClusterArn: 'arn:aws:kafka:eu-west-1:123:cluster/x' }, 'context "mskClusterArn" (stage dev) must be an MSK cluster ARN'],
    [{ ...base, stage: 'Prod' }, 'context "stage" must be 1-20 lower-case letters'],
    [{ ...base, consumerBatchSize: 0 }, 'context "consumerBatchSize" (stage dev) must be an integer from 1 to 10000; got 0'],
    [{ ...base, batchSchedule: 'daily' }, 'context "batchSchedule" (stage dev) must be an EventBridge cron(...) or rate(...) expression'],
    [{ ...base, corsOrigins: ['*'] }, 'context "corsOrigins" (stage dev) must be a list of origins'],
    [{ ...base, logRetentionDays: 10 }, "context \"logRetentionDays\" (stage dev) must be one of CloudWatch's retention periods"],
    [{ ...base, alarmEmail: 'ops' }, 'context "alarmEmail" (stage dev) must be an e-mail address'],
    [{ ...base, lakeStartDate: '2026-13-01' }, 'context "lakeStartDate" (stage dev) must be a date, YYYY-MM-DD'],
    [{ ...base, derivedRetentionDays: 1 }, 'context "derivedRetentionDays" (stage dev) must be an integer from 3 to 36500; got 1'],
    [{ ...base, modelTrainEveryDays: 29 }, 'context "modelTrainEveryDays" (stage dev) must be an integer from 1 to 28; got 29'],
    [{ ...base, modelTrainEveryDays: 7, derivedRetentionDays: 5 }, 'context "modelTrainEveryDays" (stage dev) (7) must not exceed derivedRetentionDays (5)'],
    [{ ...base, bronzeRetentionDays: 20 }, 'context "bronzeRetentionDays" (stage dev) must be 0 (keep) or at least 31; got 20'],
    [{ ...base, bronzeInfrequentAccessDays: 30 }, 'context "bronzeInfrequentAccessDays" (stage dev) is no longer a setting'],
    [{ ...base, tracing: 'consume,everything' }, 'context "tracing" (stage dev) must be a list of consume, recommend, batch (or "none")'],
    [{ ...base, logLevel: 'WARN' }, 'context "logLevel" (stage dev) must be one of TRACE, DEBUG, INFO (above INFO, Lambda would drop the consumer\'s metrics'],
    [{ ...base, systemLogLevel: 'ERROR' }, 'context "systemLogLevel" (stage dev) must be one of DEBUG, INFO, WARN; got "ERROR"'],
  ])('refuses %j with a message naming the value', (context, message) => {
    expect(() => readStageConfig(reader(context))).toThrow(message);
  });
});
