/**
 * The whole system for one stage: the data lake, the feature store, ingest from MSK, the daily
 * batch, the HTTP API, and their monitoring. Settings come from lib/config.ts.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { Api } from './api';
import type { StageConfig } from './config';
import { DailyBatch } from './daily-batch';
import { DataLake } from './data-lake';
import { FeatureStore } from './feature-store';
import { Ingest } from './ingest';
import { Monitoring } from './monitoring';

export interface MovierecStackProps extends StackProps {
  config: StageConfig;
}

export class MovierecStack extends Stack {
  readonly lake: DataLake;
  readonly features: FeatureStore;
  readonly ingest: Ingest;
  readonly batch: DailyBatch;
  readonly api: Api;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: MovierecStackProps) {
    super(scope, id, props);
    const { config } = props;
    const namePrefix = `movierec-${config.stage}`;
    const common = { namePrefix, logRetention: config.logRetentionDays as RetentionDays };
    const metricsNamespace = `movierec/${config.stage}`;
    const logLevels = { application: config.logLevel, system: config.systemLogLevel };

    this.lake = new DataLake(this, 'Lake', {
      namePrefix,
      bronzeRetentionDays: config.bronzeRetentionDays,
      derivedRetentionDays: config.derivedRetentionDays,
      athenaScanLimitGb: config.athenaScanLimitGb,
      startDate: config.lakeStartDate,
    });
    this.features = new FeatureStore(this, 'Features', { namePrefix });
    const stores = { lake: this.lake, features: this.features };
    this.ingest = new Ingest(this, 'Ingest', {
      ...common,
      ...stores,
      mskClusterArn: config.mskClusterArn,
      topic: config.topic,
      batchSize: config.consumerBatchSize,
      batchingWindowSeconds: config.consumerBatchingWindowSeconds,
      ...(config.consumerPollers ? { pollers: { ...config.consumerPollers, retryAttempts: config.consumerRetryAttempts } } : {}),
      topicRetentionHours: config.topicRetentionHours,
      network: config.mskNetwork,
      metricsNamespace,
      tracing: config.tracing.includes('consume'),
      logLevels,
    });
    this.batch = new DailyBatch(this, 'Batch', { ...common, ...stores, schedule: config.batchSchedule,
      goldModelMemoryMb: config.goldModelMemoryMb,
      modelHoldout: config.modelHoldout,
      modelGateMaxDrop: config.modelGateMaxDrop,
      modelTrainEveryDays: config.modelTrainEveryDays,
      tracing: config.tracing.includes('batch'),
    });
    this.api = new Api(this, 'Api', {
      ...common,
      ...stores,
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
      corsOrigins: config.corsOrigins,
      tracing: config.tracing.includes('recommend'),
      logLevels,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      ...common,
      metricsNamespace,
      consumer: this.ingest.consumer,
      recommender: this.api.handler,
      batchSteps: this.batch.functions,
      consumerFailures: this.ingest.failures,
      consumerFailuresRetentionHours: this.ingest.failuresRetentionHours,
      consumerSilenceHours: config.consumerSilenceHours,
      stateMachine: this.batch.stateMachine,
      api: this.api.httpApi,
      offsetLagThreshold: config.offsetLagThreshold,
      apiP99LatencyMs: config.apiP99LatencyMs,
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.httpApi.apiEndpoint, description: 'The HTTP API' });
    new CfnOutput(this, 'LakeBucket', { value: this.lake.bucket.bucketName, description: 'The data lake bucket' });
    new CfnOutput(this, 'DailyBatchStateMachine', { value: this.batch.stateMachine.stateMachineArn, description: 'Start a run with {"date": "YYYY-MM-DD"}' });
    new CfnOutput(this, 'AthenaWorkgroup', { value: this.lake.workgroupName, description: 'Query the lake here' });
    new CfnOutput(this, 'GlueDatabase', { value: this.lake.databaseName, description: 'The lake tables' });
    new CfnOutput(this, 'ConsumerFunction', { value: this.ingest.consumer.functionName, description: 'The consumer: replay-failures --function' });
    new CfnOutput(this, 'ConsumerFailureQueue', { value: this.ingest.failures.queueUrl, description: 'Batches the event source gave up on: replay-failures --queue-url' });
  }
}
