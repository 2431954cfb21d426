/**
 * A rehearsal of the deployment: the stack synthesized as for `cdk deploy`, its Lambda bundles run
 * as deployed, each with the environment and role the template gives it, against s3rver, dynalite
 * and an emulated Athena, every AWS call checked against the caller's role. It plays a day of the
 * system: the catalog arrives in the lake, MSK batches reach the consumer through its event source
 * (one of them twice), the schedule starts the daily batch on the template's state machine, and
 * HTTP API requests reach the recommend function. Anything AWS would refuse is a problem.
 */
import type { APIGatewayProxyStructuredResultV2, MSKEvent } from 'aws-lambda';
import { S3EventLake } from '../lambdas/aws/s3-event-lake';
import type { ConsumeCounts } from '../lambdas/handlers/consume';
import type { BatchResult } from '../local/batch-runner';
import { generateDemoData } from '../local/demo-data';
import { EmbeddedProducer, messageFor } from '../local/embedded-producer';
import { openDatabase } from '../local/sqlite/database';
import type { StatementRecord } from './athena-emulator';
import type { Check } from './authorizer';
import { startEmulatedAccount } from './emulated-account';
import type { LambdaService } from './lambda-service';
import { apiEvent, runStateMachine, type HttpApiRoute, type KafkaEventSource } from './service-wiring';
import type { SynthesizedStack } from './synthesize';
import type { CfnTemplate, Place } from './template';

export interface RehearsalOptions {
  /** CDK context over cdk.json's: the stage and its settings. */
  context?: Record<string, unknown>;
  /** A stack synthesized already (its assembly is left in place); otherwise the rehearsal synthesizes one, and removes it after. */
  stack?: SynthesizedStack;
  /** Changes the synthesized template before it is rehearsed (to show what a missing grant does). */
  alterTemplate?: (template: CfnTemplate) => void;
  /** Progress, a line at a time. */
  progress?: (line: string) => void;
  /** The demo data's size. */
  demo?: { users: number; movies: number };
}

export interface RehearsalReport {
  ok: boolean;
  stackName: string;
  place: Place;
  /** Everything AWS would refuse or that did not work as deployed; empty when the rehearsal passes. */
  problems: string[];
  denials: Check[];
  /** Authorization checks by service. */
  checks: Record<string, number>;
  functions: { name: string; invocations: number; errors: number; metrics: number; logBytes: number; traced: boolean; unusedActions: string[] }[];
  statements: StatementRecord[];
  events: { batches: number; records: number; applied: number; quarantined: number };
  /** How each event source reaches the services it needs. */
  network: string[];
  /** The daily batch's runs: what started each, how it ended, through which states. */
  runs: { start: string; status: BatchResult['status']; states: string[] }[];
  api: { request: string; status: number }[];
  traceSegments: number;
  seconds: number;
}

export async function rehearse(options: RehearsalOptions = {}): Promise<RehearsalReport> {
  const started = performance.now();
  const say = options.progress ?? (() => undefined);
  const account = await startEmulatedAccount(options);
  const { lambda, authorizer, athena, gateway, problems } = account;
  const report: RehearsalReport = {
    ok: false,
    stackName: account.stackName,
    place: account.place,
    problems,
    denials: authorizer.denials,
    checks: {},
    functions: [],
    statements: athena.statements,
    events: { batches: 0, records: 0, applied: 0, quarantined: 0 },
    runs: [],
    network: account.sources.map((s) => `${s.topic} into ${s.fn.principal.name}: ${s.network}`),
    api: [],
    traceSegments: 0,
    seconds: 0,
  };
  try {
    const demo = generateDemoData({ users: options.demo?.users ?? 80, movies: options.demo?.movies ?? 60, seed: 7 });

    say('the catalog into the lake, as an operator exports it');
    const lakeBucket = lambda.byLabel('consume').environment.LAKE_BUCKET!;
    await new S3EventLake(account.s3.s3, lakeBucket, '').writeCatalog(demo.movies);

    for (const source of account.sources) {
      say(`${demo.events.length} events on ${source.topic}, through the event source into ${source.fn.principal.name}`);
      await consumeEvents(source, demo.events, lambda, report);
    }

    for (const machine of account.machines) {
      say(`the daily batch, started as its schedule starts it (${JSON.stringify(machine.scheduledInput)})`);
      const run = async (start: string, input: Record<string, unknown>, expectedError?: string) => {
        const result = await runStateMachine(machine, input, lambda, authorizer, problems, expectedError);
        report.runs.push({ start, status: result.status, states: result.steps.filter((s) => s.status === 'succeeded').map((s) => s.state) });
        return result;
      };
      const scheduled = await run(`the schedule, ${JSON.stringify(machine.scheduledInput)}`, machine.scheduledInput);
      const outcome = (r: BatchResult) => r.output as { date?: string; silver?: { ratings?: number; base?: string }; publish?: { version?: string; activated?: boolean; reason?: string } } | undefined;
      if (scheduled.status === 'succeeded') {
        if (!outcome(scheduled)?.publish?.activated) problems.push(`the daily batch did not activate its model: ${outcome(scheduled)?.publish?.reason}`);
        const silver = outcome(scheduled)?.silver?.ratings;
        if (silver !== report.events.applied) problems.push(`silver holds ${silver} ratings where the consumer applied ${report.events.applied}`);
        say(`the same day again, as an operator re-runs it from the console ({"date": "${outcome(scheduled)?.date}"})`);
        const again = await run(`a re-run of ${outcome(scheduled)?.date}`, { date: outcome(scheduled)?.date });
        if (again.status !== 'succeeded' || outcome(again)?.publish?.version !== outcome(scheduled)?.publish?.version || outcome(again)?.silver?.ratings !== silver) {
          problems.push(`a re-run of ${outcome(scheduled)?.date} did not give the same result: ${JSON.stringify(outcome(again)?.publish ?? again.error)}`);
        }
        const next = nextDay(outcome(scheduled)!.date!);
        say(`the next day, merging its bronze onto the silver of ${outcome(scheduled)?.date}, then rebuilt from all of bronze ({"full": true})`);
        const merged = await run(`the next day, ${next}`, { date: next });
        const rebuilt = await run(`the next day rebuilt, ${next}`, { date: next, full: true });
        if (outcome(merged)?.silver?.base !== outcome(scheduled)?.date) problems.push(`the run of ${next} did not merge onto ${outcome(scheduled)?.date}: ${JSON.stringify(outcome(merged)?.silver ?? merged.error)}`);
        if (rebuilt.status !== 'succeeded' || outcome(rebuilt)?.silver?.ratings !== silver || outcome(rebuilt)?.publish?.version !== outcome(merged)?.publish?.version) {
          problems.push(`the rebuild of ${next} differs from its merge: ${JSON.stringify(outcome(rebuilt)?.publish ?? rebuilt.error)} against ${JSON.stringify(outcome(merged)?.publish)}`);
        }
      }
      say('a run with an impossible date, which must end in RecordFailure');
      const failed = await run('a bad date, 2026-02-30', { date: '2026-02-30' }, 'InvalidBatchInput');
      const recorded = failed.steps.some((s) => s.state === 'RecordFailure' && s.status === 'succeeded');
      if (failed.status !== 'failed' || !recorded) problems.push(`a run with a bad date ended ${failed.status}, its failure ${recorded ? '' : 'not '}recorded`);
    }

    for (const route of account.routes) {
      say(`HTTP API requests into ${route.fn.principal.name}`);
      await callApi(route, lambda, report);
    }
  } finally {
    await account.stop();
  }

  problems.push(...gateway.problems);
  const denied = new Map<string, number>();
  for (const d of authorizer.denials) {
    const line = `${d.principal}${d.via ? ` (${d.via})` : ''}: ${d.action} on ${d.resource} is not allowed by its role`;
    denied.set(line, (denied.get(line) ?? 0) + 1);
  }
  for (const [line, n] of denied) problems.push(n > 1 ? `${line} (${n} calls)` : line);
  for (const s of athena.statements) {
    if (s.state !== 'SUCCEEDED') problems.push(`Athena statement of ${s.principal} ${s.state}: ${s.reason ?? ''}`);
    else if (s.partitions > s.needed) {
      problems.push(`an Athena statement of ${s.principal} has Athena list ${s.partitions} partition prefixes where its data needs ${s.needed}: bound its dt from below`);
    }
  }
  for (const fn of lambda.functions) {
    const stats = lambda.stats.get(fn.principal.name) ?? { invocations: 0, errors: 0, metrics: 0, droppedMetrics: 0, logBytes: 0 };
    report.functions.push({
      name: fn.principal.name,
      invocations: stats.invocations,
      errors: stats.errors,
      metrics: stats.metrics,
      logBytes: stats.logBytes,
      traced: fn.tracing,
      unusedActions: authorizer.unusedActions(fn.principal.roleId),
    });
    if (stats.invocations === 0) problems.push(`${fn.principal.name} never ran in the rehearsal`);
    if (stats.droppedMetrics > 0) {
      problems.push(`${fn.principal.name}: ${stats.droppedMetrics} metric documents below its application log level (${fn.logLevels.application}), which Lambda drops: their metrics never reach CloudWatch`);
    }
  }
  report.checks = Object.fromEntries([...authorizer.checks].sort());
  report.traceSegments = lambda.traceSegments;
  report.seconds = (performance.now() - started) / 1000;
  report.ok = problems.length === 0;
  return report;
}

/** Noon UTC, `days` days ago. */
function noon(days: number): number {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  return today - days * 86_400_000 + 12 * 3_600_000;
}

/** The events as Kafka delivers them: half of them two days ago, half yesterday, which the scheduled run covers. */
async function consumeEvents(source: KafkaEventSource, events: Record<string, unknown>[], lambda: LambdaService, report: RehearsalReport): Promise<void> {
  const db = openDatabase(':memory:');
  const producer = new EmbeddedProducer(db, source.topic);
  const half = Math.floor(events.length / 2);
  const batches: MSKEvent[] = [
    ...producer.batches(events.slice(0, half).map(messageFor), source.batchSize, noon(2)),
    ...producer.batches(events.slice(half).map(messageFor), source.batchSize, noon(1)),
  ].map((b) => ({ ...b, eventSourceArn: source.clusterArn, bootstrapServers: 'b-1.rehearsal.kafka.amazonaws.com:9098' }));
  db.close();
  const deliveries = [...batches, batches[0]!];
  for (const [i, batch] of deliveries.entries()) {
    const records = Object.values(batch.records).reduce((n, r) => n + r.length, 0);
    const result = await lambda.invoke(source.fn, batch);
    if (!result.ok) {
      report.problems.push(`${source.fn.principal.name} failed a batch: ${result.error.errorType}: ${result.error.errorMessage}`);
      continue;
    }
    const counts = result.value as ConsumeCounts;
    if (counts.received !== records) report.problems.push(`${source.fn.principal.name} counted ${counts.received} of ${records} records`);
    if (i === batches.length) {
      if (counts.applied !== 0) report.problems.push(`${source.fn.principal.name} applied ${counts.applied} events of a redelivered batch`);
      continue;
    }
    report.events.batches++;
    report.events.records += records;
    report.events.applied += counts.applied;
    report.events.quarantined += counts.quarantined;
  }
}

/** Requests as a client sends them, and the status each must get. */
const API_REQUESTS: [method: string, path: string, status: number][] = [
  ['GET', '/health', 200],
  ['GET', '/users/1/recommendations?limit=5', 200],
  ['GET', '/users/2/recommendations?limit=5&genre=Comedy', 200],
  ['GET', '/users/987654/recommendations', 200],
  ['GET', '/movies/1/similar?limit=5', 200],
  ['GET', '/users/1/recommendations?limit=3&explain=true', 200],
  ['GET', '/movies?q=the&limit=5', 200],
  ['GET', '/movies/1', 200],
  // A user's features and ratings are not served by the public API.
  ['GET', '/users/1', 404],
  ['GET', '/users/1/ratings?limit=5', 404],
  ['GET', '/movies/0/similar', 400],
  ['GET', '/users/1/recommendations?limit=1000', 400],
  ['GET', '/nowhere', 404],
  ['POST', '/health', 405],
];

async function callApi(route: HttpApiRoute, lambda: LambdaService, report: RehearsalReport): Promise<void> {
  for (const [method, path, expected] of API_REQUESTS) {
    const result = await lambda.invoke(route.fn, apiEvent(route, method, path));
    const request = `${method} ${path}`;
    if (!result.ok) {
      report.problems.push(`${request}: ${route.fn.principal.name} failed: ${result.error.errorType}: ${result.error.errorMessage}`);
      report.api.push({ request, status: 502 });
      continue;
    }
    const answer = result.value as APIGatewayProxyStructuredResultV2;
    report.api.push({ request, status: answer.statusCode ?? 200 });
    if (answer.statusCode !== expected) report.problems.push(`${request}: ${answer.statusCode} where ${expected} was due: ${answer.body ?? ''}`);
    else if (expected === 200 && path.includes('recommendations') && (JSON.parse(answer.body ?? '{}') as { items?: unknown[] }).items?.length === 0) {
      report.problems.push(`${request}: no recommendations`);
    }
  }
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
