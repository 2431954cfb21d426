/**
 * The daily batch: one function per Task, the Step Functions state machine from the same ASL
 * document that the local runner executes (its `${<Task>FunctionArn}` placeholders filled by
 * definition substitutions), and an EventBridge schedule that starts it with `{}` (yesterday).
 * A run of any date starts from the console with `{"date": "YYYY-MM-DD"}`.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BATCH_TASKS, DAILY_BATCH_WORKFLOW, STEP_TIMEOUT_SECONDS, substitutionName, type BatchTask } from '../lambdas/core/lake/daily-batch-workflow';
import { SILVER_LOCATIONS, silverReceiptFolder } from '../lambdas/core/lake/lake-layout';
import { ATHENA_RESULTS, type DataLake } from './data-lake';
import type { FeatureStore } from './feature-store';
import { LAKE_TABLES } from './lake-tables';
import type { FunctionEnvironment } from '../lambdas/entry/environment';
import { MovierecFunction } from './movierec-function';

export interface DailyBatchProps {
  namePrefix: string;
  lake: DataLake;
  features: FeatureStore;
  /** EventBridge cron() or rate() expression, UTC. */
  schedule: string;
  /** Memory of the GoldModel function, MB. */
  goldModelMemoryMb: number;
  /** What the measure of each new model holds out: `10%` of the latest events, or `1d` (days). */
  modelHoldout: string;
  /** The quality gate: how far below the serving model's nDCG@10 a new model may score and still serve, `10%`. */
  modelGateMaxDrop: string;
  /** Days from one training of the model's item weights to the next; the days between refresh its popularity and catalog. */
  modelTrainEveryDays: number;
  logRetention: RetentionDays;
  /** Whether X-Ray traces the steps' functions (a few invocations a day). */
  tracing: boolean;
}

/** Memory (MB) of each step's function: Athena steps wait, GoldModel computes (its memory is a setting). Timeouts are the workflow's. */
const SIZES: Record<BatchTask, { memory?: number; description: string }> = {
  ResolveDate: { memory: 256, description: 'Daily batch: the run date' },
  BronzeToSilver: { memory: 256, description: 'Daily batch: silver ratings by Athena' },
  SilverFeatures: { memory: 256, description: 'Daily batch: silver features by Athena' },
  GoldModel: { description: 'Daily batch: trains the model into gold' },
  Publish: { memory: 2048, description: 'Daily batch: catalog, features and the model pointer online' },
  RecordFailure: { memory: 256, description: 'Daily batch: records a failed run' },
};

export class DailyBatch extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: Record<BatchTask, MovierecFunction>;

  private readonly lake: DataLake;

  constructor(scope: Construct, id: string, props: DailyBatchProps) {
    super(scope, id);
    const { lake, features } = props;
    this.lake = lake;
    const { users, movies, models, runs } = features.tables;
    const bucket = { LAKE_BUCKET: lake.bucket.bucketName };
    const athena = { ...bucket, ATHENA_WORKGROUP: lake.workgroupName, ATHENA_DATABASE: lake.databaseName };
    const environment: { [T in BatchTask]: FunctionEnvironment<T> } = {
      ResolveDate: {},
      BronzeToSilver: { ...athena, LAKE_START_DATE: lake.startDate },
      SilverFeatures: athena,
      GoldModel: { ...bucket, MODELS_TABLE: models.tableName, MODEL_HOLDOUT: props.modelHoldout, MODEL_GATE_MAX_DROP: props.modelGateMaxDrop, MODEL_TRAIN_EVERY_DAYS: String(props.modelTrainEveryDays) },
      Publish: { ...bucket, USERS_TABLE: users.tableName, MOVIES_TABLE: movies.tableName, MODELS_TABLE: models.tableName, RUNS_TABLE: runs.tableName },
      RecordFailure: { RUNS_TABLE: runs.tableName },
    };
    this.functions = Object.fromEntries(
      BATCH_TASKS.map((task) => {
        const size = SIZES[task];
        const fn = new MovierecFunction(this, task, {
          entry: task,
          description: size.description,
          memorySize: size.memory ?? props.goldModelMemoryMb,
          timeout: Duration.seconds(STEP_TIMEOUT_SECONDS[task]),
          environment: environment[task] as FunctionEnvironment<typeof task>,
          logRetention: props.logRetention,
          tracing: props.tracing,
          // A few invocations a day: their report lines say how much memory each step used.
          logLevels: { application: 'INFO', system: 'INFO' },
        });
        return [task, fn];
      }),
    ) as Record<BatchTask, MovierecFunction>;
    const fns = this.functions;

    for (const task of ['BronzeToSilver', 'SilverFeatures'] as const) this.grantAthena(fns[task], task === 'BronzeToSilver');
    // A day between trainings reads the date's movie features (its rating counts) and the trained model.
    lake.grantObjects(fns.GoldModel, ['s3:GetObject'], ['silver/ratings/', 'silver/movie_features/', 'catalog/', 'gold/']);
    lake.grantObjects(fns.GoldModel, ['s3:PutObject'], ['gold/']);
    models.grant(fns.GoldModel, 'dynamodb:GetItem');
    lake.grantObjects(fns.Publish, ['s3:GetObject'], ['silver/user_features/', 'silver/movie_features/', 'catalog/', 'gold/model/']);
    // Reconcile updates users in place: their Kafka offsets must stay for the consumer's retries.
    users.grant(fns.Publish, 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem');
    movies.grant(fns.Publish, 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem');
    models.grant(fns.Publish, 'dynamodb:GetItem', 'dynamodb:PutItem');
    runs.grant(fns.Publish, 'dynamodb:PutItem');
    runs.grant(fns.RecordFailure, 'dynamodb:PutItem');

    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: `${props.namePrefix}-daily-batch`,
      definitionBody: DefinitionBody.fromString(JSON.stringify(DAILY_BATCH_WORKFLOW)),
      // The run's timeout is the document's TimeoutSeconds: CDK's own applies to definitions it builds only.
      definitionSubstitutions: Object.fromEntries(BATCH_TASKS.map((task) => [substitutionName(task), fns[task].functionArn])),
      tracingEnabled: true,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });
    for (const task of BATCH_TASKS) {
      fns[task].grantInvoke(this.stateMachine);
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId(fns[task])}.Arn>:*]`,
        reason: `Invoking any version or alias of the ${task} function, as grantInvoke allows.`,
      });
    }
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Step Functions needs these log delivery and X-Ray actions on "*": they have no resource-level permissions.',
    });

    new Rule(this, 'Schedule', {
      description: 'Starts the daily batch for yesterday (UTC)',
      schedule: Schedule.expression(props.schedule),
      targets: [new SfnStateMachine(this.stateMachine, { input: RuleTargetInput.fromObject({}) })],
    });
  }

  /** Athena runs the SQL with the caller's permissions: the query, the tables, the data it reads and writes. */
  private grantAthena(fn: MovierecFunction, writesRatings: boolean): void {
    const { lake } = this;
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new PolicyStatement({
        // List and BatchGet find an earlier run's queries still writing to a partition, to stop them.
        actions: [
          'athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution',
          'athena:ListQueryExecutions', 'athena:BatchGetQueryExecution',
        ],
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: lake.workgroupName })],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: lake.databaseName }),
          ...LAKE_TABLES.map((t) => stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${lake.databaseName}/${t.name}` })),
        ],
      }),
    );
    // Each statement is an UNLOAD into silver, then a count of what it wrote, then the partition's
    // receipt. BronzeToSilver also lists bronze's date folders, to read from the first, and the
    // receipts of silver ratings, to merge onto the latest; Athena reads that silver for it.
    const tables = writesRatings ? (['silver_ratings'] as const) : (['silver_user_features', 'silver_movie_features'] as const);
    const reads = writesRatings ? ['bronze/events/'] : ['silver/ratings/', 'catalog/'];
    const writes = tables.flatMap((t) => [`${SILVER_LOCATIONS[t]}/`, silverReceiptFolder(t)]);
    lake.grantObjects(fn, ['s3:GetObject'], [...reads, ...writes, ATHENA_RESULTS]);
    lake.grantObjects(fn, ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], [...writes, ATHENA_RESULTS]);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [lake.bucket.bucketArn] }));
  }
}

function logicalId(fn: MovierecFunction): string {
  return Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnFunction);
}
