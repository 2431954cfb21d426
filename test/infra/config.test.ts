import { describe, expect, it } from 'vitest';
import { DEFAULTS, readStageConfig } from '../../lib/config';
import { CLUSTER_ARN } from '../helpers/cdk-app';

const reader = (context: Record<string, unknown>) => (key: string) => context[key];

describe('stage configuration from the CDK context', () => {
  it('fills every optional value with its documented default', () => {
    expect(readStageConfig(reader({ mskClusterArn: CLUSTER_ARN }))).toEqual({ ...DEFAULTS, mskClusterArn: CLUSTER_ARN });
  });

  it("takes the stage's own values over the top-level ones, and -c strings as numbers", () => {
    const config = readStageConfig(
      reader({
        stage: 'prod',
        topic: 'top-level-topic',
        consumerBatchSize: '500',
        stages: { prod: { mskClusterArn: CLUSTER_ARN, topic: 'prod-events', corsOrigins: 'https://a.example, https://b.example' } },
      }),
    );
    expect(config).toMatchObject({
      stage: 'prod',
      topic: 'prod-events',
      consumerBatchSize: 500,
      corsOrigins: ['https://a.example', 'https://b.example'],
    });
  });

  it.each([
    [{}, 'context "mskClusterArn" (stage dev) is required: an MSK cluster ARN'],
    [{ mskClusterArn: 'arn:aws:kafka:eu-west-1:123:cluster/x' }, 'context "mskClusterArn" (stage dev) must be an MSK cluster ARN'],
    [{ mskClusterArn: CLUSTER_ARN, stage: 'Prod' }, 'context "stage" must be 1-20 lower-case letters'],
    [{ mskClusterArn: CLUSTER_ARN, consumerBatchSize: 0 }, 'context "consumerBatchSize" (stage dev) must be an integer from 1 to 10000; got 0'],
    [{ mskClusterArn: CLUSTER_ARN, batchSchedule: 'daily' }, 'context "batchSchedule" (stage dev) must be an EventBridge cron(...) or rate(...) expression'],
    [{ mskClusterArn: CLUSTER_ARN, corsOrigins: ['*'] }, 'context "corsOrigins" (stage dev) must be a list of origins'],
    [{ mskClusterArn: CLUSTER_ARN, logRetentionDays: 10 }, "context \"logRetentionDays\" (stage dev) must be one of CloudWatch's retention periods"],
    [{ mskClusterArn: CLUSTER_ARN, alarmEmail: 'ops' }, 'context "alarmEmail" (stage dev) must be an e-mail address'],
    [{ mskClusterArn: CLUSTER_ARN, bronzeRetentionDays: 20 }, 'must be 0 (keep) or more than bronzeInfrequentAccessDays (30)'],
  ])('refuses %j with a message naming the value', (context, message) => {
    expect(() => readStageConfig(reader(context))).toThrow(message);
  });
});
