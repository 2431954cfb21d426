/**
 * A day of the deployed system, metered. The stack runs as the rehearsal runs it (its bundles, the
 * template's environments and roles, s3rver, dynalite and the emulated Athena), starting from the
 * state it would be in after its history: the catalog and the silver ratings of the history in the
 * lake, the day before's bronze, and that day's batch run (not metered), which publishes the
 * features and the model. Then the metered day: its events through the event source into the
 * consumer, its API requests into the recommend function, and its daily batch as the schedule
 * starts it. Every request each makes is counted, with what Lambda, Athena, Step Functions and
 * API Gateway do around them; storage is sized from what the day wrote.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { batchPut } from '../lambdas/aws/dynamo-batch';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import pMap from 'p-map';
import { S3EventLake } from '../lambdas/aws/s3-event-lake';
import { silverPartitionKey, silverReceiptKey } from '../lambdas/core/lake/lake-layout';
import type { BatchState } from '../lambdas/handlers/batch/batch-state';
import type { ConsumeCounts } from '../lambdas/handlers/consume';
import { DAY_MS, dayEvents, eventIdAt, generateWorkload, type DayEvent, type Workload } from '../bench/workload';
import { startEmulatedAccount, type EmulatedAccount } from '../rehearsal/emulated-account';
import { silverParquetColumns } from '../rehearsal/sqlite-twin';
import { apiEvent, runStateMachine } from '../rehearsal/service-wiring';
import type { BatchResult } from '../local/batch-runner';
import { activeUsers, apiCalls, mskBatches } from './day-workload';
import { RequestMeter, type CallerUsage } from './request-meter';
import { bytesUnder, itemSizes, type ItemSizes } from './storage';
import { DAYS_PER_MONTH } from './prices';
import { accessLogLine, templateFacts, type TemplateFacts } from './template-facts';

export interface DaySpec {
  /** The state before the day: users, movies and ratings in the lake and online. */
  users: number;
  movies: number;
  ratings: number;
  /** Traffic, a month (of 730 hours): new rating events, and API requests. */
  eventsPerMonth: number;
  apiCallsPerMonth: number;
  /** The users the day's API requests are for, whose ratings are all online. */
  apiUsers: number;
  seed: number;
}

/** The seed's scale: 100,000 users, 10 million ratings, a million events and a million API calls a month. */
export const SEED_SCALE: DaySpec = { users: 100_000, movies: 10_000, ratings: 10_000_000, eventsPerMonth: 1_000_000, apiCallsPerMonth: 1_000_000, apiUsers: 2_000, seed: 42 };

export interface FunctionUsage {
  name: string;
  memoryMb: number;
  invocations: number;
  billedMs: number;
  logBytes: number;
  /** Invocations X-Ray records as traces of their own (not part of a traced state machine run). */
  traces: number;
  metrics: string[];
}

export interface DayUsage {
  spec: DaySpec;
  stackName: string;
  region: string;
  date: string;
  functions: FunctionUsage[];
  /** AWS requests by who made them. */
  requests: Record<string, CallerUsage>;
  s3AccessLog: { records: number; bytes: number };
  athena: { statements: number; scannedBytes: number[] };
  glueRequests: number;
  api: { requests: number; responseBytes: number; accessLogBytes: number };
  stepFunctions: { executions: number; transitions: number; logBytes: number; traces: number };
  /** `trainedOn`: the date whose training gave the day's model its weights (the day itself on a training day). */
  day: { events: number; batches: number; applied: number; apiCalls: number; publish: BatchState['publish']; silverRatings: number; trainedOn: string };
  storage: {
    items: ItemSizes;
    bronzeBytesPerEvent: number;
    silverPartitionBytes: number;
    goldPartitionBytes: number;
    athenaResultBytes: number;
  };
  facts: TemplateFacts;
  problems: string[];
  seconds: number;
}

/** HTTP response headers API Gateway adds to a body: date, content type and length, request id, connection. */
const RESPONSE_HEADER_BYTES = 180;

export async function simulateDay(spec: DaySpec, options: { context?: Record<string, unknown>; progress?: (line: string) => void } = {}): Promise<DayUsage> {
  const started = performance.now();
  const say = options.progress ?? (() => undefined);
  const day = startOfDay(Date.now()) - DAY_MS;
  const [date, before, twoBefore] = [day, day - DAY_MS, day - 2 * DAY_MS].map(isoDate) as [string, string, string];
  let meter: RequestMeter | undefined;
  const account = await startEmulatedAccount({ context: options.context ?? {}, progress: say, observe: (r) => meter?.observe(r) });
  try {
    const { lambda, template } = account;
    const consume = lambda.byLabel('consume');
    const lakeBucket = consume.environment.LAKE_BUCKET!;
    const tables = { users: consume.environment.USERS_TABLE!, movies: consume.environment.MOVIES_TABLE! };
    meter = new RequestMeter(lakeBucket);
    const source = account.sources[0];
    const machine = account.machines[0];
    const route = account.routes[0];
    if (!source || !machine || !route) throw new Error('the stack has no event source, state machine or API route to meter');

    say(`the history: ${spec.users} users, ${spec.movies} movies, ${spec.ratings} ratings up to ${twoBefore}`);
    const history = generateWorkload({ users: spec.users, movies: spec.movies, ratings: spec.ratings }, spec.seed, day - 2 * DAY_MS - 365 * DAY_MS);
    const eventsPerDay = Math.round(spec.eventsPerMonth / DAYS_PER_MONTH);
    const callsPerDay = Math.round(spec.apiCallsPerMonth / DAYS_PER_MONTH);
    const dayBefore = dayEvents(history, eventsPerDay, day - DAY_MS, spec.seed + 1);
    const theDay = dayEvents(history, eventsPerDay, day, spec.seed + 2);
    const users = activeUsers(history, spec.apiUsers, spec.seed + 3);
    const lake = new S3EventLake(account.s3.s3, lakeBucket, '');
    await lake.writeCatalog(history.movies);
    await writeSilverRatings(account, lakeBucket, history, twoBefore);
    say(`${dayBefore.length} events of ${before} in bronze, in the batches the event source makes`);
    await writeBronze(lake, mskBatches(dayBefore, source.topic, source.batchSize, source.batchingWindowSeconds));
    say(`the ratings of the ${users.length} users the API is asked about, and those the day's events rate again, online`);
    await putOnlineRatings(account, tables, history, dayBefore, users, theDay);

    say(`the daily batch of ${before} (not metered): silver, features, the model, published`);
    const problems = account.problems;
    const previous = await runStateMachine(machine, { date: before }, lambda, account.authorizer, problems);
    if (previous.status !== 'succeeded') throw new Error(`the batch of ${before} failed: ${previous.error}: ${previous.cause}`);

    // The metered day.
    lambda.resetStats();
    const statementsBefore = account.athena.statements.length;
    const glueBefore = account.authorizer.checks.get('glue') ?? 0;
    meter.counting = true;
    const batches = mskBatches(theDay, source.topic, source.batchSize, source.batchingWindowSeconds);
    const calls = apiCalls(history, users, callsPerDay, day, spec.seed + 4);
    say(`${date}: ${theDay.length} events in ${batches.length} MSK batches into consume, and ${calls.length} API requests into recommend`);
    const counts = { applied: 0 };
    const api = { requests: 0, responseBytes: 0, accessLogBytes: 0 };
    const facts = templateFacts(template, lakeBucket);
    let done = 0;
    const tick = () => {
      if (++done % 2000 === 0) say(`  ${done} of ${batches.length + calls.length} invocations`);
    };
    await Promise.all([
      (async () => {
        for (const batch of batches) {
          const result = await lambda.invoke(consume, batch);
          if (!result.ok) throw new Error(`consume failed: ${result.error.errorType}: ${result.error.errorMessage}`);
          counts.applied += (result.value as ConsumeCounts).applied;
          tick();
        }
      })(),
      (async () => {
        for (const call of calls) {
          const t0 = performance.now();
          const result = await lambda.invoke(route.fn, apiEvent(route, 'GET', call.path));
          if (!result.ok) throw new Error(`recommend failed on ${call.path}: ${result.error.errorType}: ${result.error.errorMessage}`);
          const answer = result.value as APIGatewayProxyStructuredResultV2;
          if (answer.statusCode !== 200) problems.push(`GET ${call.path}: ${answer.statusCode} ${answer.body ?? ''}`);
          api.requests++;
          api.responseBytes += Buffer.byteLength(answer.body ?? '') + RESPONSE_HEADER_BYTES;
          if (facts.accessLogFormat) {
            const path = call.path.split('?')[0]!;
            api.accessLogBytes += Buffer.byteLength(accessLogLine(facts.accessLogFormat, { method: 'GET', path, status: answer.statusCode ?? 200, latencyMs: performance.now() - t0 }));
          }
          tick();
        }
      })(),
    ]);

    say(`the daily batch of ${date}, started as its schedule starts it (${JSON.stringify(machine.scheduledInput)})`);
    const run = await runStateMachine(machine, machine.scheduledInput, lambda, account.authorizer, problems);
    if (run.status !== 'succeeded') throw new Error(`the batch of ${date} failed: ${run.error}: ${run.cause}`);
    const output = run.output as BatchState;
    if (output.date !== date) throw new Error(`the scheduled batch ran for ${output.date}, not ${date}`);
    if (!output.gold) throw new Error(`the batch of ${date} succeeded without GoldModel's output`);
    meter.counting = false;

    say('sizing what is stored');
    const bronze = await bytesUnder(account.s3.s3, lakeBucket, `bronze/events/dt=${date}/`);
    const silver = await Promise.all((['silver_ratings', 'silver_user_features', 'silver_movie_features'] as const).map((t) => bytesUnder(account.s3.s3, lakeBucket, silverPartitionKey(t, date))));
    const gold = await Promise.all(['gold/model/', 'gold/movies/', 'gold/item_neighbours/', 'gold/popularity/'].map((p) => bytesUnder(account.s3.s3, lakeBucket, `${p}dt=${date}/`)));
    const athenaResults = await bytesUnder(account.s3.s3, lakeBucket, 'athena-results/');
    const tasks = new Set(taskFunctions(machine.definition, lambda));
    const arrivals: Record<string, number[]> = { consume: batches.map((b) => Object.values(b.records)[0]![0]!.timestamp), recommend: calls.map((c) => c.time) };

    return {
      spec,
      stackName: account.stackName,
      region: account.place.region,
      date,
      functions: lambda.functions.map((fn) => {
        const stats = lambda.stats.get(fn.principal.name);
        const ownTraces = fn.tracing && !(facts.stateMachineTraced && tasks.has(fn.name));
        return {
          name: fn.principal.name,
          memoryMb: fn.memoryMb,
          invocations: stats?.invocations ?? 0,
          billedMs: stats?.billedMs ?? 0,
          logBytes: stats?.logBytes ?? 0,
          traces: ownTraces ? sampledTraces(arrivals[fn.principal.name] ?? [], stats?.invocations ?? 0) : 0,
          metrics: [...(stats?.metricKeys ?? [])].sort(),
        };
      }),
      requests: Object.fromEntries(meter.byCaller),
      s3AccessLog: { records: meter.accessLogRecords, bytes: meter.accessLogBytes },
      athena: {
        statements: account.athena.statements.length - statementsBefore,
        scannedBytes: account.athena.statements.slice(statementsBefore).map((s) => s.scannedBytes),
      },
      glueRequests: (account.authorizer.checks.get('glue') ?? 0) - glueBefore,
      api,
      stepFunctions: stepFunctionsUsage(run, facts.stateMachineTraced),
      day: { events: theDay.length, batches: batches.length, applied: counts.applied, apiCalls: calls.length, publish: output.publish, silverRatings: output.silver?.ratings ?? 0, trainedOn: output.gold.trainedOn },
      storage: {
        items: await itemSizes(account.dynamo, tables),
        bronzeBytesPerEvent: bronze.bytes / Math.max(1, theDay.length),
        silverPartitionBytes: silver.reduce((n, s) => n + s.bytes, 0),
        goldPartitionBytes: gold.reduce((n, g) => n + g.bytes, 0),
        athenaResultBytes: athenaResults.bytes,
      },
      facts,
      problems: [...problems, ...account.gateway.problems, ...account.authorizer.denials.map((d) => `${d.principal}: ${d.action} on ${d.resource} denied`)],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await account.stop();
  }
}

/**
 * Lambda traces an actively traced function's first invocation each second and 5% of the others:
 * the expected number of traces of invocations arriving at these times (or, without them, one a second at most).
 */
export function sampledTraces(arrivals: readonly number[], invocations: number): number {
  if (arrivals.length === 0) return invocations;
  const perSecond = new Map<number, number>();
  for (const t of arrivals) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  let traces = 0;
  for (const n of perSecond.values()) traces += 1 + 0.05 * (n - 1);
  return traces;
}

/** Every state entered is a transition; with logging at ALL, each entered and exited event carries the state's data. */
function stepFunctionsUsage(run: BatchResult, traced: boolean): DayUsage['stepFunctions'] {
  const transitions = run.steps.length + 1;
  const dataBytes = Buffer.byteLength(JSON.stringify(run.output ?? {}));
  return { executions: 1, transitions, logBytes: transitions * (2 * dataBytes + 3 * 300), traces: traced ? 1 : 0 };
}

function taskFunctions(definition: Record<string, unknown>, lambda: EmulatedAccount['lambda']): string[] {
  const states = definition.States as Record<string, { Resource?: string }>;
  return Object.values(states).flatMap((s) => (s.Resource ? [lambda.byArn(s.Resource)?.name ?? ''] : []));
}

/** The history's ratings as the silver partition of `date`, sorted as the batch writes it, with its receipt. */
async function writeSilverRatings(account: EmulatedAccount, bucket: string, history: Workload, date: string): Promise<void> {
  const order = Array.from({ length: history.count }, (_, i) => i).sort((a, b) => history.userIds[a]! - history.userIds[b]! || history.movieIds[a]! - history.movieIds[b]!);
  const FILE_ROWS = 1_000_000;
  for (let start = 0; start < order.length; start += FILE_ROWS) {
    const rows = order.slice(start, start + FILE_ROWS);
    const body = silverParquetColumns('silver_ratings', [
      rows.map((i) => history.userIds[i]!),
      rows.map((i) => history.movieIds[i]!),
      rows.map((i) => history.halfStars[i]! / 2),
      rows.map((i) => history.times[i]!),
      rows.map((i) => eventIdAt(history, i)),
    ]);
    await account.s3.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${silverPartitionKey('silver_ratings', date)}${String(start / FILE_ROWS).padStart(5, '0')}`, Body: body }));
  }
  const receipt = JSON.stringify({ table: 'silver_ratings', date, rows: history.count });
  await account.s3.s3.send(new PutObjectCommand({ Bucket: bucket, Key: silverReceiptKey('silver_ratings', date), Body: receipt }));
}

/** Bronze objects as the consumer writes them: one per partition of each batch. */
async function writeBronze(lake: S3EventLake, batches: ReturnType<typeof mskBatches>): Promise<void> {
  const objects = batches.flatMap((batch) => Object.values(batch.records));
  await pMap(
    objects,
    async (records) => {
      const first = records[0]!;
      await lake.writeBronze(
        { topic: first.topic, partition: first.partition, firstOffset: first.offset, lastOffset: records.at(-1)!.offset, timestamp: first.timestamp },
        records.map((r) => {
          const e = JSON.parse(Buffer.from(r.value, 'base64').toString('utf8')) as { event_id: string; user_id: number; movie_id: number; rating: number; timestamp: number };
          return { offset: r.offset, event: { eventId: e.event_id, userId: e.user_id, movieId: e.movie_id, rating: e.rating, eventTime: e.timestamp } };
        }),
      );
    },
    { concurrency: 16 },
  );
}

/**
 * Ratings as the consumer keeps them online (history and the day before, latest per movie): all of
 * the users the API is asked about, and those the day's events rate again, which the consumer
 * reads; and the global statistics. The other users' ratings change no request of the day.
 */
async function putOnlineRatings(
  account: EmulatedAccount,
  tables: { users: string; movies: string },
  history: Workload,
  dayBefore: readonly DayEvent[],
  users: readonly number[],
  theDay: readonly DayEvent[],
): Promise<void> {
  const wanted = new Set(users);
  const pair = (userId: number, movieId: number) => userId * 2 ** 21 + movieId;
  const pairs = new Set(theDay.map((e) => pair(e.userId, e.movieId)));
  const latest = new Map<number, { userId: number; movieId: number; rating: number; eventTime: number; eventId: string }>();
  for (let i = 0; i < history.count; i++) {
    const key = pair(history.userIds[i]!, history.movieIds[i]!);
    if (!wanted.has(history.userIds[i]!) && !pairs.has(key)) continue;
    latest.set(key, { userId: history.userIds[i]!, movieId: history.movieIds[i]!, rating: history.halfStars[i]! / 2, eventTime: history.times[i]!, eventId: eventIdAt(history, i) });
  }
  for (const e of dayBefore) {
    const key = pair(e.userId, e.movieId);
    if (wanted.has(e.userId) || pairs.has(key)) latest.set(key, { userId: e.userId, movieId: e.movieId, rating: e.rating, eventTime: e.time, eventId: e.eventId });
  }
  await batchPut(account.dynamo.doc, tables.users, [...latest.values()]);
  let sum = 0;
  for (let i = 0; i < history.count; i++) sum += history.halfStars[i]! / 2;
  for (const e of dayBefore) sum += e.rating;
  await account.dynamo.doc.send(new PutCommand({ TableName: tables.movies, Item: { movieId: 0, ratingCount: history.count + dayBefore.length, ratingSum: sum } }));
}

function startOfDay(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

function isoDate(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}
