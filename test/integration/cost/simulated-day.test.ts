import { describe, expect, it } from 'vitest';
import { monthlyBill } from '../../../cost/bill';
import { formatBill } from '../../../cost/format-bill';
import { DAYS_PER_MONTH, PRICES } from '../../../cost/prices';
import { simulateDay, type DaySpec } from '../../../cost/simulated-day';
import { DEFAULT_TRAIN_EVERY_DAYS, trainingDayOf } from '../../../lambdas/core/training-schedule';

/** A small day: a few hundred users, a hundred events and requests. */
const SPEC: DaySpec = { users: 300, movies: 120, ratings: 20_000, eventsPerMonth: 3_000, apiCallsPerMonth: 3_000, apiUsers: 40, seed: 5 };

describe('npm run cost: a metered day of the deployed stack', () => {
  it('counts what each function, Athena and the services do in a day, and prices it by the month', async () => {
    const u = await simulateDay(SPEC);
    expect(u.problems).toEqual([]);
    const eventsPerDay = Math.round(SPEC.eventsPerMonth / DAYS_PER_MONTH);
    expect(u.day).toMatchObject({ events: eventsPerDay, applied: eventsPerDay, apiCalls: Math.round(SPEC.apiCallsPerMonth / DAYS_PER_MONTH) });
    const fn = (name: string) => u.functions.find((f) => f.name === name)!;
    // Every batch the event source made is one invocation of the consumer, every request one of recommend, each step runs once.
    expect(fn('consume').invocations).toBe(u.day.batches);
    expect(fn('recommend').invocations).toBe(u.day.apiCalls);
    for (const step of ['ResolveDate', 'BronzeToSilver', 'SilverFeatures', 'GoldModel', 'Publish']) expect(fn(step).invocations, step).toBe(1);
    expect(fn('RecordFailure').invocations).toBe(0);
    // The consumer's PUTs are the bronze objects of the day: one per partition of each batch.
    expect(u.requests.consume!.s3.writes).toBeGreaterThanOrEqual(u.day.batches);
    expect(u.requests.consume!.s3.writes).toBeLessThanOrEqual(u.day.batches * 4);
    // A rating, its user and its movie, one write unit each, and the global statistics once a batch.
    const perEvent = u.requests.consume!.dynamoWriteUnits / u.day.events;
    expect(perEvent).toBeGreaterThanOrEqual(3);
    expect(perEvent).toBeLessThanOrEqual(4);
    // The merge reads the day before's silver and two days of bronze; features read silver; each is billed at least 10 MB.
    expect(u.athena.statements).toBe(6);
    expect(Math.max(...u.athena.scannedBytes)).toBeGreaterThan(0);
    // Publish writes only the features that differ: the consumer keeps users' exact, and the movies'
    // Bayesian means move with the global mean.
    expect(u.day.publish).toMatchObject({ activated: true, kept: 0 });
    // The day before trained the first model; the day refreshes it, unless it is a training day (a Sunday).
    const before = new Date(Date.parse(`${u.date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect(u.day.trainedOn).toBe(trainingDayOf(u.date, DEFAULT_TRAIN_EVERY_DAYS) === u.date ? u.date : before);
    expect(u.day.publish!.replaced).toBeLessThanOrEqual(SPEC.movies);
    expect(u.day.publish!.unchanged).toBeGreaterThanOrEqual(SPEC.users - 10);
    // Only the consumer publishes metrics of its own; X-Ray records the batch runs only.
    expect(new Set(u.functions.flatMap((f) => f.metrics.map((m) => m.split(' ')[1])))).toEqual(new Set(['EventsReceived', 'EventsApplied', 'EventsQuarantined']));
    expect(u.functions.reduce((n, f) => n + f.traces, 0)).toBe(0);
    expect(u.stepFunctions).toMatchObject({ executions: 1, traces: 1 });
    expect(fn('recommend').logBytes).toBe(0);
    expect(u.facts).toMatchObject({ alarms: 8, alarmMetrics: 10, dashboards: 1, kmsKeys: 1, pitrTables: 4, retentionDays: { silver: 30, gold: 30, accessLogs: 365, logs: 30 } });

    const bill = monthlyBill(u);
    expect(bill.total).toBeCloseTo(bill.lines.reduce((n, l) => n + l.monthly, 0), 10);
    const line = (service: string, item: string) => bill.lines.find((l) => l.service === service && l.item === item)!;
    expect(line('API Gateway', 'HTTP API requests').monthly).toBeCloseTo(((u.api.requests * DAYS_PER_MONTH) / 1e6) * PRICES.apiGatewayHttp.perMillionRequests, 10);
    expect(line('CloudWatch', 'dashboards').monthly).toBe(PRICES.cloudwatch.dashboardMonth);
    expect(line('DynamoDB', 'writes, consume').monthly).toBeCloseTo(((u.requests.consume!.dynamoWriteUnits * DAYS_PER_MONTH) / 1e6) * PRICES.dynamodb.perMillionWriteUnits, 10);
    const text = formatBill(u, bill);
    expect(text).toContain('| service | item | usage a month | $ a month |');
    expect(text).toContain(u.day.trainedOn === u.date ? ', trained the model and published' : `, refreshed the model trained on ${u.day.trainedOn} (a day between trainings) and published`);
    expect(text).toMatch(/\| \*\*total without MSK\*\* \| \| \| \*\*\$\d+\.\d\d\*\* \|/);
  }, 300_000);
});
