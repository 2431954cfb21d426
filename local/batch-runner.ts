/**
 * Runs the daily batch's ASL document in-process with aws-local-stepfunctions: the same workflow
 * that Step Functions runs in AWS, each Task state backed by its handler over the SQLite adapters.
 */
import 'core-js/actual/promise/with-resolvers.js';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { substituteResources, type BatchTask } from '../lambdas/core/lake/daily-batch-workflow';

type JsonValue = Parameters<StateMachine['run']>[0];
type Execution = ReturnType<StateMachine['run']>;
type EventLog = Execution['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
export type BatchHandlers = Record<BatchTask, (input: never) => Promise<unknown>>;

export interface BatchStep {
  state: string;
  seconds: number;
  status: 'succeeded' | 'failed' | 'retried' | 'caught';
  error?: string;
}

export interface BatchResult {
  status: 'succeeded' | 'failed';
  output?: unknown;
  error?: string;
  cause?: string;
  steps: BatchStep[];
}

export interface BatchRunOptions {
  /** Called as each state ends, for progress output. */
  onStep?: (step: BatchStep) => void;
  /** Replaces the Retry intervals (milliseconds), so tests need not wait. */
  retryIntervalMs?: number;
}

/** Placeholder ARNs: every Task runs its local handler instead, chosen by state name. */
const localArn = (task: BatchTask) => `arn:aws:lambda:us-east-1:000000000000:function:movierec-local-${task}`;

export async function runDailyBatch(
  handlers: BatchHandlers,
  input: Record<string, unknown>,
  options: BatchRunOptions = {},
): Promise<BatchResult> {
  return runWorkflow(substituteResources(localArn), handlers, input, options);
}

/**
 * Runs an ASL document in-process, each Task state by the local handler of its name, and reports
 * every state's outcome. The rehearsal runs the deployed document this way too.
 */
export async function runWorkflow(
  definition: StateMachineDefinition,
  handlers: Record<string, (input: never) => Promise<unknown>>,
  input: Record<string, unknown>,
  options: BatchRunOptions = {},
): Promise<BatchResult> {
  const local = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [name, (value: JsonValue) => handler(value as never) as Promise<JsonValue>]),
  );
  const machine = new StateMachine(definition);
  const execution = machine.run(input as JsonValue, {
    overrides: {
      taskResourceLocalHandlers: local,
      ...(options.retryIntervalMs === undefined
        ? {}
        : { retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((name) => [name, options.retryIntervalMs!])) }),
    },
  });

  const steps: BatchStep[] = [];
  const entered = new Map<string, number>();
  const step = (event: EventLog & { state: { name: string } }, status: BatchStep['status'], error?: string) => {
    const s: BatchStep = {
      state: event.state.name,
      seconds: (event.timestamp - (entered.get(event.state.name) ?? event.timestamp)) / 1000,
      status,
      ...(error === undefined ? {} : { error }),
    };
    steps.push(s);
    options.onStep?.(s);
  };
  let failure: { error: string; cause: string } | undefined;
  for await (const event of execution.eventLogs) {
    if (event.type === 'StateEntered') entered.set(event.state.name, event.timestamp);
    else if (event.type === 'StateExited') {
      if (steps.at(-1)?.state !== event.state.name || steps.at(-1)?.status !== 'caught') step(event, 'succeeded');
    }
    else if (event.type === 'StateRetried') step(event, 'retried');
    else if (event.type === 'StateCaught') step(event, 'caught');
    else if (event.type === 'StateFailed') step(event, 'failed', `${event.Error}: ${String(event.Cause)}`);
    else if (event.type === 'ExecutionFailed') failure = { error: event.Error, cause: String(event.Cause) };
  }

  try {
    const output = await execution.result;
    return { status: 'succeeded', output, steps };
  } catch (err) {
    return {
      status: 'failed',
      error: failure?.error ?? (err instanceof Error ? err.name : 'Error'),
      cause: failure?.cause ?? String(err),
      steps,
    };
  }
}
