/**
 * The monthly bill of a metered day: its usage times 730/24 (a month of 730 hours), what is stored
 * at the day's scale, and what the template costs by the month, each at the price table's prices.
 * Kafka (MSK) and the network its event source needs are listed apart: a cluster is often shared,
 * and its network may already exist.
 */
import type { DayUsage } from './simulated-day';
import { ALWAYS_FREE, DAYS_PER_MONTH, HOURS_PER_MONTH, PRICES } from './prices';

export interface BillLine {
  service: string;
  item: string;
  /** What was counted, a month, and how it is priced. */
  usage: string;
  monthly: number;
  /** Of it, what AWS's always-free allowances cover in an account that uses them for nothing else. */
  free: number;
}

export interface Bill {
  region: string;
  pricesAsOf: string;
  lines: BillLine[];
  total: number;
  /** The total less what the always-free allowances cover. */
  afterFree: number;
  /** MSK and its network. */
  apart: BillLine[];
  apartTotal: number;
}

const GB = 1024 ** 3;
const MB = 1024 ** 2;

/** The MSK cluster assumed where movierec has one of its own: two of the smallest brokers. */
export const DEDICATED_MSK = { brokers: 2, storageGb: 100 } as const;

export function monthlyBill(u: DayUsage): Bill {
  const m = DAYS_PER_MONTH;
  const P = PRICES;
  const lines: BillLine[] = [];
  const add = (service: string, item: string, usage: string, monthly: number, free = 0) => lines.push({ service, item, usage, monthly, free: Math.min(monthly, free) });
  const allowance = new Allowances();

  // Lambda: requests and GB-seconds of billed duration.
  const batchSteps = u.functions.filter((f) => f.name !== 'consume' && f.name !== 'recommend');
  for (const group of [u.functions.filter((f) => f.name === 'consume'), u.functions.filter((f) => f.name === 'recommend'), batchSteps]) {
    const invocations = sum(group.map((f) => f.invocations)) * m;
    const gbSeconds = sum(group.map((f) => (f.billedMs / 1000) * (f.memoryMb / 1024))) * m;
    if (invocations === 0) continue;
    const name = group.length === 1 ? group[0]!.name : 'the daily batch';
    const detail =
      group.length === 1
        ? `${count(invocations)} invocations of ${ms(group[0]!.billedMs / Math.max(1, group[0]!.invocations))} at ${count(group[0]!.memoryMb)} MB`
        : group.filter((f) => f.invocations > 0).map((f) => `${f.name} ${seconds(f.billedMs / 1000)} at ${count(f.memoryMb)} MB`).join(', ') + ', a day';
    const free = (allowance.take('lambdaRequests', invocations) / 1e6) * P.lambda.perMillionRequests + allowance.take('lambdaGbSeconds', gbSeconds) * P.lambda.gbSecond;
    add('Lambda', name, `${detail}: ${count(gbSeconds)} GB-s`, (invocations / 1e6) * P.lambda.perMillionRequests + gbSeconds * P.lambda.gbSecond, free);
  }

  // DynamoDB: capacity units as DynamoDB reported them, by who used them.
  const callers = Object.entries(u.requests);
  for (const [kind, key, price] of [
    ['writes', 'dynamoWriteUnits', P.dynamodb.perMillionWriteUnits],
    ['reads', 'dynamoReadUnits', P.dynamodb.perMillionReadUnits],
  ] as const) {
    for (const [caller, usage] of callers.filter(([, c]) => c[key] > 0).sort((a, b) => b[1][key] - a[1][key])) {
      const units = usage[key] * m;
      add('DynamoDB', `${kind}, ${caller}`, `${count(units)} ${kind === 'writes' ? 'write' : 'read'} request units${perEvent(caller, usage[key], u)}`, (units / 1e6) * price);
    }
  }
  const items = u.storage.items;
  const dynamoBytes = u.spec.ratings * items.rating + u.spec.users * items.userFeatures + u.spec.movies * items.movie;
  const dynamoGb = dynamoBytes / GB;
  add(
    'DynamoDB',
    'storage',
    `${gb(dynamoGb)}: ${count(u.spec.ratings)} ratings of ${count(items.rating)} B, ${count(u.spec.users)} users' features of ${count(items.userFeatures)} B, ${count(u.spec.movies)} movies of ${count(items.movie)} B`,
    dynamoGb * P.dynamodb.storageGbMonth,
    allowance.take('dynamodbStorageGb', dynamoGb) * P.dynamodb.storageGbMonth,
  );
  if (u.facts.pitrTables > 0) add('DynamoDB', 'point-in-time recovery', `${gb(dynamoGb)} of tables backed up continuously`, dynamoGb * P.dynamodb.pitrGbMonth);

  // S3 requests by price class, and what the lake and its access logs hold.
  for (const [kind, label, price] of [
    ['writes', 'PUT, COPY, POST and LIST requests', P.s3.perThousandWrites],
    ['reads', 'GET requests', P.s3.perThousandReads],
  ] as const) {
    const byCaller = callers.map(([caller, c]) => [caller, c.s3[kind] * m] as const).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    const total = sum(byCaller.map(([, n]) => n));
    if (total > 0) add('S3', label, `${count(total)}: ${byCaller.slice(0, 3).map(([c, n]) => `${c} ${count(n)}`).join(', ')}`, (total / 1000) * price);
  }
  const r = u.facts.retentionDays;
  const bronzeGb = (u.storage.bronzeBytesPerEvent * u.spec.ratings) / GB;
  const silverGb = (u.storage.silverPartitionBytes * (r.silver ?? 365)) / GB;
  const goldGb = (u.storage.goldPartitionBytes * (r.gold ?? 365)) / GB;
  const accessLogGb = (u.s3AccessLog.bytes * (r.accessLogs ?? 365)) / GB;
  const resultsGb = (u.storage.athenaResultBytes * (r.athenaResults ?? 30)) / GB;
  const s3Gb = bronzeGb + silverGb + goldGb + accessLogGb + resultsGb;
  add(
    'S3',
    'storage',
    `${gb(s3Gb)}: bronze ${gb(bronzeGb)} (${count(u.spec.ratings)} events of ${count(u.storage.bronzeBytesPerEvent)} B), silver ${gb(silverGb)} (${r.silver ?? 'all'} daily partitions), gold ${gb(goldGb)}, access logs ${gb(accessLogGb)} (${r.accessLogs ?? 'all'} days)`,
    s3Gb * P.s3.standardGbMonth,
  );

  // Athena: bytes scanned, each query at least the minimum.
  const scannedMb = sum(u.athena.scannedBytes.map((b) => Math.max(b / MB, P.athena.minimumMbPerQuery))) * m;
  add('Athena', 'data scanned', `${count(u.athena.statements)} statements a day, ${gb(scannedMb / 1024)} a month (${count(P.athena.minimumMbPerQuery)} MB at least each)`, (scannedMb / 1024 ** 2) * P.athena.perTbScanned);
  add('Glue', 'Data Catalog requests', `${count(u.glueRequests * m)} (Athena reading the tables)`, ((u.glueRequests * m) / 1e6) * P.glue.perMillionRequests, (allowance.take('glueRequests', u.glueRequests * m) / 1e6) * P.glue.perMillionRequests);

  // The API and what it sends out.
  add('API Gateway', 'HTTP API requests', count(u.api.requests * m), ((u.api.requests * m) / 1e6) * P.apiGatewayHttp.perMillionRequests);
  const outGb = (u.api.responseBytes * m) / GB;
  add('Data transfer', 'API answers to the internet', gb(outGb), outGb * P.transferOutGb, allowance.take('transferOutGb', outGb) * P.transferOutGb);
  const transitions = u.stepFunctions.transitions * m;
  const transitionPrice = P.stepFunctions.perThousandTransitions / 1000;
  add('Step Functions', 'state transitions', `${count(transitions)} (${count(u.stepFunctions.transitions)} a run)`, transitions * transitionPrice, allowance.take('stepFunctionsTransitions', transitions) * transitionPrice);

  // CloudWatch and X-Ray.
  const functionLogs = sum(u.functions.map((f) => f.logBytes));
  const loggedGb = ((functionLogs + u.api.accessLogBytes + u.stepFunctions.logBytes) * m) / GB;
  add(
    'CloudWatch',
    'logs ingested',
    `${gb(loggedGb)}: functions ${gb((functionLogs * m) / GB)} (${u.functions.filter((f) => f.logBytes > 0).sort((a, b) => b.logBytes - a.logBytes).slice(0, 3).map((f) => `${f.name} ${count(f.logBytes / Math.max(1, f.invocations))} B an invocation`).join(', ')}), API access logs ${gb((u.api.accessLogBytes * m) / GB)}, state machine ${gb((u.stepFunctions.logBytes * m) / GB)}`,
    loggedGb * P.cloudwatch.logsIngestedGb,
    allowance.take('cloudwatchLogsGb', loggedGb) * P.cloudwatch.logsIngestedGb,
  );
  const storedGb = loggedGb * ((r.logs ?? 30) / m);
  add('CloudWatch', 'logs stored', `${gb(storedGb)} (${r.logs ?? 'unlimited'} days kept)`, storedGb * P.cloudwatch.logsStoredGbMonth, allowance.take('cloudwatchLogsGb', storedGb) * P.cloudwatch.logsStoredGbMonth);
  const metrics = [...new Set(u.functions.flatMap((f) => f.metrics))];
  add(
    'CloudWatch',
    'custom metrics',
    `${metrics.length}: ${metrics.map((k) => k.split(' ')[1]).join(', ') || 'none'}`,
    metrics.length * P.cloudwatch.customMetricMonth,
    allowance.take('customMetrics', metrics.length) * P.cloudwatch.customMetricMonth,
  );
  add('CloudWatch', 'alarms', `${u.facts.alarms} alarms on ${u.facts.alarmMetrics} metrics`, u.facts.alarmMetrics * P.cloudwatch.alarmMetricMonth, allowance.take('alarmMetrics', u.facts.alarmMetrics) * P.cloudwatch.alarmMetricMonth);
  add('CloudWatch', 'dashboards', String(u.facts.dashboards), u.facts.dashboards * P.cloudwatch.dashboardMonth, allowance.take('dashboards', u.facts.dashboards) * P.cloudwatch.dashboardMonth);
  const traces = (sum(u.functions.map((f) => f.traces)) + u.stepFunctions.traces) * m;
  const tracedNames = u.functions.filter((f) => f.traces > 0).map((f) => f.name);
  add('X-Ray', 'traces recorded', `${count(traces)}: the batch runs${tracedNames.length > 0 ? `, ${tracedNames.join(', ')}` : ''}`, (traces / 1e6) * P.xray.perMillionTraces, (allowance.take('xrayTraces', traces) / 1e6) * P.xray.perMillionTraces);
  add('KMS', 'keys', `${u.facts.kmsKeys} (the alarm topic's)`, u.facts.kmsKeys * P.kms.keyMonth);

  const apart: BillLine[] = [];
  const brokerHours = DEDICATED_MSK.brokers * HOURS_PER_MONTH;
  apart.push({ service: 'MSK', item: `${DEDICATED_MSK.brokers} ${P.msk.brokerType} brokers`, usage: `${count(brokerHours)} broker-hours, if the cluster is movierec's own`, monthly: brokerHours * P.msk.brokerHour, free: 0 });
  apart.push({ service: 'MSK', item: 'storage', usage: `${DEDICATED_MSK.storageGb} GB`, monthly: DEDICATED_MSK.storageGb * P.msk.storageGbMonth, free: 0 });
  const endpointHours = sum(u.facts.interfaceEndpoints.map((e) => e.zones)) * HOURS_PER_MONTH;
  if (endpointHours > 0) {
    const services = u.facts.interfaceEndpoints.map((e) => e.service).join(', ');
    apart.push({ service: 'VPC', item: `interface endpoints (${services})`, usage: `${count(endpointHours)} endpoint-hours, for the event source's pollers`, monthly: endpointHours * P.vpc.interfaceEndpointHour, free: 0 });
  } else {
    apart.push({ service: 'VPC', item: 'the event source\'s route to Lambda, STS and SQS', usage: `the VPC's own (a NAT gateway per zone would be ${dollars(3 * HOURS_PER_MONTH * P.vpc.natGatewayHour)})`, monthly: 0, free: 0 });
  }
  const total = sum(lines.map((l) => l.monthly));
  return { region: PRICES.region, pricesAsOf: PRICES.asOf, lines, total, afterFree: total - sum(lines.map((l) => l.free)), apart, apartTotal: sum(apart.map((l) => l.monthly)) };
}

/** What is left of each always-free allowance as lines take from it. */
class Allowances {
  private readonly left: Record<keyof typeof ALWAYS_FREE, number> = { ...ALWAYS_FREE };

  /** How much of `quantity` the allowance covers. */
  take(kind: keyof typeof ALWAYS_FREE, quantity: number): number {
    const covered = Math.min(quantity, this.left[kind]);
    this.left[kind] -= covered;
    return covered;
  }
}

/** Per event of the day, for the consumer, whose use grows with events. */
function perEvent(caller: string, dayUnits: number, u: DayUsage): string {
  return caller === 'consume' && u.day.events > 0 ? ` (${(dayUnits / u.day.events).toFixed(2)} an event)` : '';
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function dollars(n: number): string {
  return `$${n.toFixed(2)}`;
}

function gb(n: number): string {
  return n >= 10 ? `${n.toFixed(0)} GB` : n >= 0.1 ? `${n.toFixed(1)} GB` : `${(n * 1024).toFixed(0)} MB`;
}

function ms(n: number): string {
  return `${n.toFixed(0)} ms`;
}

function seconds(n: number): string {
  return `${n.toFixed(n < 10 ? 1 : 0)} s`;
}
