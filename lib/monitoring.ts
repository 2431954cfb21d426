/**
 * What operators watch: a dashboard of the flow (events consumed and quarantined, consumer lag,
 * batch step durations and outcomes, API traffic and latency), and alarms, sent to an encrypted
 * SNS topic (and e-mailed when an address is configured), on consumer errors and lag, a consumer
 * that has not run for hours (its event source cannot reach the cluster, or nothing is produced),
 * batches that failed on the consumer's retries and those about to outlive the topic's records,
 * daily batch failures, API 5xx and p99 latency.
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BATCH_TASKS, type BatchTask } from '../lambdas/core/lake/daily-batch-workflow';
import { CONSUME_SERVICE, METRIC } from '../lambdas/entry/metric-names';
import type { MovierecFunction } from './movierec-function';

export interface MonitoringProps {
  namePrefix: string;
  metricsNamespace: string;
  consumer: MovierecFunction;
  recommender: MovierecFunction;
  batchSteps: Record<BatchTask, MovierecFunction>;
  consumerFailures: Queue;
  /** How long the failure queue's messages can still be replayed, hours. */
  consumerFailuresRetentionHours: number;
  /** Alarm when the consumer has not run for this many hours. */
  consumerSilenceHours: number;
  stateMachine: StateMachine;
  api: HttpApi;
  offsetLagThreshold: number;
  apiP99LatencyMs: number;
  alarmEmail?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const key = new Key(this, 'AlarmsKey', { enableKeyRotation: true, description: 'Encrypts the alarm topic' });
    // CloudWatch publishes alarms to the encrypted topic.
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    this.topic = new Topic(this, 'Alarms', { topicName: `${props.namePrefix}-alarms`, masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    // The consumer's counts are the only custom metrics: durations, errors and traffic are Lambda's and API Gateway's own.
    const consumed = [METRIC.eventsReceived, METRIC.eventsApplied, METRIC.eventsQuarantined].map(
      (metricName) => new Metric({ namespace: props.metricsNamespace, metricName, statistic: 'Sum', period: FIVE_MINUTES, dimensionsMap: { service: CONSUME_SERVICE } }),
    );
    const offsetLag = props.consumer.metric('OffsetLag', { statistic: 'Maximum', period: FIVE_MINUTES });
    const recommendDuration = ['p50', 'p99'].map((statistic) => props.recommender.metricDuration({ statistic, period: FIVE_MINUTES }));
    const stepDurations = BATCH_TASKS.map((step) => props.batchSteps[step].metricDuration({ statistic: 'Maximum', period: Duration.days(1), label: step }));
    const batchFailures = new MathExpression({
      expression: 'failed + timedOut + aborted',
      usingMetrics: {
        failed: props.stateMachine.metricFailed({ period: FIVE_MINUTES }),
        timedOut: props.stateMachine.metricTimedOut({ period: FIVE_MINUTES }),
        aborted: props.stateMachine.metricAborted({ period: FIVE_MINUTES }),
      },
      label: 'Failed, timed out or aborted runs',
      period: FIVE_MINUTES,
    });

    this.alarm('ConsumerErrors', 'The consumer failed invocations (they are retried, then sent to the failure queue)',
      props.consumer.metricErrors({ period: FIVE_MINUTES }), 1);
    this.alarm('ConsumerOffsetLag', `The consumer is more than ${props.offsetLagThreshold} records behind the topic`, offsetLag,
      props.offsetLagThreshold, 3);
    // An event source that never connects, or loses the cluster, sends no data at all: missing data breaches.
    this.alarm('ConsumerSilent', `The consumer has not run for ${props.consumerSilenceHours} hours: check the event source mapping's state, or whether events are produced`,
      props.consumer.metricInvocations({ period: Duration.hours(1), statistic: 'Sum' }), 1, props.consumerSilenceHours,
      { comparison: ComparisonOperator.LESS_THAN_THRESHOLD, missingData: TreatMissingData.BREACHING });
    this.alarm('ConsumerFailedBatches', 'Batches gave up after their retries: replay them with npm run local -- replay-failures (see the README)',
      props.consumerFailures.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }), 1);
    const replayWithin = Math.floor((props.consumerFailuresRetentionHours * 3600) / 2);
    this.alarm('ConsumerFailedBatchesAging', `A failed batch has waited half the time the topic keeps its records (${replayWithin / 3600} h): replay it before they are gone`,
      props.consumerFailures.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }), replayWithin);
    this.alarm('DailyBatchFailed', 'A daily batch run failed: its error is in the run log and the execution history', batchFailures, 1);
    this.alarm('Api5xx', 'The HTTP API answered 5xx', props.api.metricServerError({ period: FIVE_MINUTES }), 5);
    this.alarm('ApiP99Latency', `The HTTP API's p99 latency is above ${props.apiP99LatencyMs} ms`,
      props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }), props.apiP99LatencyMs, 3);

    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${props.namePrefix}-overview` });
    dashboard.addWidgets(
      new TextWidget({ markdown: `# movierec ${props.namePrefix}\nEvents in, the daily batch, recommendations out.`, width: 24, height: 2 }),
    );
    dashboard.addWidgets(
      graph('Events consumed (per 5 min)', consumed),
      graph('Consumer offset lag (records)', [offsetLag]),
      graph('Consumer errors and failed batches', [
        props.consumer.metricErrors({ period: FIVE_MINUTES }),
        props.consumerFailures.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES }),
      ]),
    );
    dashboard.addWidgets(
      graph('Batch step duration (ms, daily max)', stepDurations),
      graph('Daily batch runs', [props.stateMachine.metricSucceeded({ period: Duration.days(1) }), batchFailures.with({ period: Duration.days(1) })]),
    );
    dashboard.addWidgets(
      graph('API requests and errors', [
        props.api.metricCount({ period: FIVE_MINUTES }),
        props.api.metricClientError({ period: FIVE_MINUTES }),
        props.api.metricServerError({ period: FIVE_MINUTES }),
      ]),
      graph('API latency (ms)', [
        props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }),
        props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
      ]),
      graph('Recommend function duration (ms)', recommendDuration),
    );
  }

  private alarm(
    id: string,
    description: string,
    metric: IMetric,
    threshold: number,
    evaluationPeriods = 1,
    how: { comparison?: ComparisonOperator; missingData?: TreatMissingData } = {},
  ): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: how.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: how.missingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

function graph(title: string, metrics: IMetric[]): GraphWidget {
  return new GraphWidget({ title, left: metrics, width: 8 });
}
