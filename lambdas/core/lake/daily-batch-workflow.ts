/**
 * The daily batch as one Amazon States Language document. The CDK stack deploys it, with
 * definition substitutions for the `${<Task>FunctionArn}` resources; the local runner executes the
 * very same document with aws-local-stepfunctions, each Task state backed by its handler.
 *
 * Input: `{"date": "YYYY-MM-DD"}`, or `{}` for yesterday (UTC); `"full": true` rebuilds silver
 * from all of bronze; `"train": true` trains the model on a day between training days. State after
 * each step:
 *   ResolveDate    -> { date, asOf, full, train }
 *   BronzeToSilver -> + silver:   { ratings, base | from }
 *   SilverFeatures -> + features: { users, movies }
 *   GoldModel      -> + gold:     { version, trainedOn, nextTraining, trainingSeconds, measureSeconds, counts, evaluation, gate, written }
 *   Publish        -> + publish:  { version, activated, reason, movies, replaced, kept, unchanged }
 * Any failure goes to RecordFailure, which keeps the error in the batch run log, then fails.
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { TRANSIENT_ERROR } from '../transient-error';

/** The Task states, in order; each names its handler and its Lambda ARN substitution. */
export const BATCH_TASKS = ['ResolveDate', 'BronzeToSilver', 'SilverFeatures', 'GoldModel', 'Publish', 'RecordFailure'] as const;
export type BatchTask = (typeof BATCH_TASKS)[number];

/** Errors a step retries: transient ones, and the Lambda service's own. */
const RETRYABLE = [
  TRANSIENT_ERROR,
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** The Fail state that ends a failed run, after RecordFailure. */
export const FAIL_STATE = 'Failed';

/**
 * How long each step's function may run, seconds: the Athena steps wait for their queries within
 * it (and stop them before it ends), GoldModel trains. A Task waits a little longer for its
 * function than the function runs, so that a lost invocation ends as a timeout, not a hang.
 */
export const STEP_TIMEOUT_SECONDS: Record<BatchTask, number> = {
  ResolveDate: 60,
  BronzeToSilver: 900,
  SilverFeatures: 900,
  GoldModel: 900,
  Publish: 900,
  RecordFailure: 60,
};
const TASK_GRACE_SECONDS = 60;

/** A run that takes longer fails: the state machine's only timeout. */
export const RUN_TIMEOUT_SECONDS = 3 * 60 * 60;

export function substitutionName(task: BatchTask): string {
  return `${task}FunctionArn`;
}

/** A Task state; without a result path its output replaces the state. */
function task(name: BatchTask, next: string | undefined, resultPath?: string, parameters?: Record<string, string>) {
  return {
    Type: 'Task' as const,
    Resource: `\${${substitutionName(name)}}`,
    ...(parameters ? { Parameters: parameters } : {}),
    ...(resultPath ? { ResultPath: resultPath } : {}),
    TimeoutSeconds: STEP_TIMEOUT_SECONDS[name] + TASK_GRACE_SECONDS,
    Retry: [{ ErrorEquals: RETRYABLE, IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' as const }],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RecordFailure' }],
    ...(next ? { Next: next } : { End: true as const }),
  };
}

export const DAILY_BATCH_WORKFLOW: StateMachineDefinition = {
  Comment: 'movierec daily batch: bronze to silver to gold, then publish features and the model',
  StartAt: 'ResolveDate',
  TimeoutSeconds: RUN_TIMEOUT_SECONDS,
  States: {
    ResolveDate: task('ResolveDate', 'BronzeToSilver'),
    BronzeToSilver: task('BronzeToSilver', 'SilverFeatures', '$.silver', { 'date.$': '$.date', 'full.$': '$.full' }),
    SilverFeatures: task('SilverFeatures', 'GoldModel', '$.features', { 'date.$': '$.date', 'silver.$': '$.silver' }),
    GoldModel: task('GoldModel', 'Publish', '$.gold', { 'date.$': '$.date', 'train.$': '$.train', 'users.$': '$.features.users' }),
    Publish: task('Publish', undefined, '$.publish'),
    RecordFailure: {
      Type: 'Task',
      Resource: `\${${substitutionName('RecordFailure')}}`,
      ResultPath: null,
      TimeoutSeconds: STEP_TIMEOUT_SECONDS.RecordFailure + TASK_GRACE_SECONDS,
      Retry: [{ ErrorEquals: RETRYABLE, IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' }],
      Next: FAIL_STATE,
    },
    [FAIL_STATE]: { Type: 'Fail', Error: 'BatchFailed', Cause: 'A step failed: its error is in the batch run log.' },
  },
};

/** The document with each `${<Task>FunctionArn}` replaced, as CDK's definition substitutions do. */
export function substituteResources(arnOf: (task: BatchTask) => string): StateMachineDefinition {
  let json = JSON.stringify(DAILY_BATCH_WORKFLOW);
  for (const t of BATCH_TASKS) json = json.replaceAll(`\${${substitutionName(t)}}`, arnOf(t));
  return JSON.parse(json) as StateMachineDefinition;
}
