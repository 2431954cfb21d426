/**
 * Ingest: the consumer function behind an MSK event source on the events topic, and the network
 * path the event source needs. On-demand pollers (the default) retry a failed batch until it
 * succeeds or its records leave the topic; provisioned pollers retry a set number of times, then
 * send the batch's coordinates to the failure queue, whose messages last as long as the topic keeps
 * the records they point to (`npm run local -- replay-failures` feeds them through the consumer).
 * The function writes bronze and quarantine objects and the online features, nothing else.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { ManagedKafkaEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { mskClusterParts, type MskNetwork } from './config';
import type { DataLake } from './data-lake';
import type { FeatureStore } from './feature-store';
import type { FunctionName } from '../lambdas/entry/environment';
import { MovierecFunction, type MovierecFunctionProps } from './movierec-function';
import { MskNetworkAccess } from './msk-network';

export interface IngestProps {
  namePrefix: string;
  lake: DataLake;
  features: FeatureStore;
  mskClusterArn: string;
  topic: string;
  batchSize: number;
  batchingWindowSeconds: number;
  /** Provisioned pollers, and the retries they allow; none: on-demand pollers, which retry until the batch succeeds. */
  pollers?: { min: number; max: number; retryAttempts: number };
  /** How long the topic keeps its records, hours. */
  topicRetentionHours: number;
  network: MskNetwork;
  metricsNamespace: string;
  logRetention: RetentionDays;
  /** Whether X-Ray traces the function. */
  tracing: boolean;
  /** The function's application and system log levels. */
  logLevels: MovierecFunctionProps<FunctionName>['logLevels'];
}

/** SQS keeps a message 14 days at most. */
const MAX_QUEUE_RETENTION_HOURS = 14 * 24;

export class Ingest extends Construct {
  readonly consumer: MovierecFunction;
  readonly failures: Queue;
  /** How long the failure queue keeps a message, hours. */
  readonly failuresRetentionHours: number;
  readonly network: MskNetworkAccess;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    const { users, movies } = props.features.tables;
    this.consumer = new MovierecFunction(this, 'Consumer', {
      entry: 'consume',
      description: `Consumes ${props.topic}: bronze, quarantine and online features`,
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: { LAKE_BUCKET: props.lake.bucket.bucketName, USERS_TABLE: users.tableName, MOVIES_TABLE: movies.tableName },
      metricsNamespace: props.metricsNamespace,
      logRetention: props.logRetention,
      tracing: props.tracing,
      logLevels: props.logLevels,
    });
    props.lake.grantObjects(this.consumer, ['s3:PutObject'], ['bronze/events/', 'bronze/quarantine/']);
    users.grant(this.consumer, 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem');
    movies.grant(this.consumer, 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem');

    // IAM access control on the cluster: connect, read the topic, and commit the group's offsets.
    const { partition, region, account, name, uuid } = mskClusterParts(props.mskClusterArn);
    const groupId = `${props.namePrefix}-consumer`;
    const kafka = (kind: string, resource: string) => `arn:${partition}:kafka:${region}:${account}:${kind}/${name}/${uuid}/${resource}`;
    this.consumer.addToRolePolicy(
      new PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
        resources: [props.mskClusterArn],
      }),
    );
    this.consumer.addToRolePolicy(
      new PolicyStatement({ actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], resources: [kafka('topic', props.topic)] }),
    );
    this.consumer.addToRolePolicy(
      new PolicyStatement({ actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], resources: [kafka('group', groupId)] }),
    );

    // A message points at records in the topic: past the topic's retention it cannot be replayed.
    this.failuresRetentionHours = Math.min(props.topicRetentionHours, MAX_QUEUE_RETENTION_HOURS);
    this.failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.hours(this.failuresRetentionHours),
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the on-failure destination of the event source; an alarm watches its depth.',
    });
    this.consumer.addEventSource(
      new ManagedKafkaEventSource({
        clusterArn: props.mskClusterArn,
        topic: props.topic,
        consumerGroupId: groupId,
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: props.batchSize,
        maxBatchingWindow: Duration.seconds(props.batchingWindowSeconds),
        ...(props.pollers
          ? {
              provisionedPollerConfig: { minimumPollers: props.pollers.min, maximumPollers: props.pollers.max },
              retryAttempts: props.pollers.retryAttempts,
            }
          : {}),
        onFailure: new SqsDlq(this.failures),
      }),
    );
    this.network = new MskNetworkAccess(this, 'Network', { namePrefix: props.namePrefix, network: props.network, provisionedPollers: props.pollers !== undefined });
    Validations.of(this.consumer.role!).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole]',
      reason: 'CDK attaches this AWS-managed policy for the MSK event source: the network interfaces Lambda creates in the cluster\'s VPC.',
    });
  }
}
