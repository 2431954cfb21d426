import { DEFAULT_HOLDOUT, formatHoldout, formatShare, parseHoldout } from '../lambdas/core/holdout';
import { DEFAULT_GATE, parseMaxDrop } from '../lambdas/core/quality-gate';
import { DEFAULT_TRAIN_EVERY_DAYS, MAX_TRAIN_EVERY_DAYS } from '../lambdas/core/training-schedule';

/**
 * The deployment's settings, from the CDK context (cdk.json, or `-c key=value`). The values of the
 * chosen stage's entry under `stages` override the top-level ones, which override the defaults.
 * A missing or malformed value stops synth with a message that names it.
 */

export interface StageConfig {
  /** Names every resource (`movierec-<stage>-...`); lower-case letters, digits and hyphens. */
  stage: string;
  /** The MSK cluster that carries the events: arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>. Required. */
  mskClusterArn: string;
  /** The Kafka topic of rating events. */
  topic: string;
  /** Records per consumer invocation (1 to 10,000). */
  consumerBatchSize: number;
  /** Seconds the event source may wait to fill a batch (0 to 300). */
  consumerBatchingWindowSeconds: number;
  /**
   * The event source's pollers: on demand (undefined, the default) or provisioned, between `min`
   * and `max`. AWS applies retry limits to Kafka event sources in provisioned mode only.
   */
  consumerPollers?: { min: number; max: number };
  /** Provisioned pollers only: retries of a failed batch before it goes to the on-failure queue (0 to 10,000). */
  consumerRetryAttempts: number;
  /** How long the topic keeps its records (hours; MSK's default is 168): the failure queue keeps its messages as long, up to SQS's 14 days. */
  topicRetentionHours: number;
  /** How the event source reaches Lambda, STS and SQS from the cluster's subnets. */
  mskNetwork: MskNetwork;
  /** Alarm when the consumer has not run for this many hours: the event source cannot reach the cluster, or nothing was produced. */
  consumerSilenceHours: number;
  /** When the daily batch runs: an EventBridge cron() or rate() expression, UTC. */
  batchSchedule: string;
  /** Days after which bronze and quarantine objects are deleted; 0 keeps them forever. */
  bronzeRetentionDays: number;
  /**
   * Days a date's silver and gold outputs are kept: each date's silver is whole, and the next day's
   * batch needs only the day before's; a re-run recreates them, and `activate` reaches back this far.
   */
  derivedRetentionDays: number;
  /**
   * The first date of the lake tables' partition projection (YYYY-MM-DD): no bronze may be older.
   * The batch reads bronze from the first date it holds, whatever this says, and fails, naming the
   * date, if bronze holds older data than the tables can show.
   */
  lakeStartDate: string;
  /** Athena refuses a query that would scan more than this many GB. */
  athenaScanLimitGb: number;
  /** Steady-state requests per second of the HTTP API, and its burst. */
  apiRateLimit: number;
  apiBurstLimit: number;
  /** Origins allowed by CORS (e.g. https://example.org); empty allows no browser origin. */
  corsOrigins: string[];
  /** Memory of the model training step, MB (the 10M-rating model needs about 1 GB). */
  goldModelMemoryMb: number;
  /** What the batch's measure of each new model holds out: the latest share of the events (`10%`) or days (`1d`). */
  modelHoldout: string;
  /** The quality gate: a new model whose nDCG@10 falls more than this share below the serving model's does not serve (`100%` lets all through). */
  modelGateMaxDrop: string;
  /**
   * Days from one training of the model's item weights to the next, counted from Sunday 1970-01-04
   * (7: Sundays). Training reads every rating twice and takes minutes at 10M; the days between keep
   * the weights and refresh the popularity rankings and the catalog from the day's silver. 1 trains
   * every day. No more than derivedRetentionDays, so that gold still holds the trained model.
   */
  modelTrainEveryDays: number;
  /** Days CloudWatch keeps the functions', state machine's and API's logs. */
  logRetentionDays: number;
  /**
   * The functions X-Ray traces: `consume`, `recommend`, `batch` (the daily batch's steps). Lambda's
   * active tracing samples at a rate AWS sets, the first request each second and 5% of the others,
   * which at a few requests a second is nearly every one; so a function is traced or not.
   */
  tracing: TracedFunctions[];
  /**
   * The application log level of consume and recommend, the functions run per batch and per
   * request: at INFO they log nothing but warnings, errors and the consumer's metrics; DEBUG adds
   * each batch's counts. The batch steps log at INFO.
   */
  logLevel: ApplicationLogLevelName;
  /** Lambda's own log lines (start and report of each invocation) of consume and recommend: shown at INFO, not at WARN. */
  systemLogLevel: SystemLogLevelName;
  /** Alarm when the consumer falls this many records behind the topic. */
  offsetLagThreshold: number;
  /** Alarm when the API's p99 latency exceeds this many milliseconds. */
  apiP99LatencyMs: number;
  /** Where alarms are e-mailed; none: alarms go to the SNS topic only. */
  alarmEmail?: string;
}

/**
 * The event source mapping's pollers run in the cluster's subnets, with its security group. They
 * need to reach Lambda and STS (on-demand pollers) and SQS (the failure queue): either the stack
 * creates interface endpoints for them in those subnets, or the VPC already reaches them (a NAT
 * gateway, or endpoints of its own).
 */
export const TRACED_FUNCTIONS = ['consume', 'recommend', 'batch'] as const;
export type TracedFunctions = (typeof TRACED_FUNCTIONS)[number];
/** No higher than INFO: Lambda counts a line without a level, as the consumer's metrics are written, as INFO. */
export const APPLICATION_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO'] as const;
export type ApplicationLogLevelName = (typeof APPLICATION_LOG_LEVELS)[number];
export const SYSTEM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'] as const;
export type SystemLogLevelName = (typeof SYSTEM_LOG_LEVELS)[number];

export type MskNetwork =
  | { access: 'existing' }
  | { access: 'endpoints'; vpcId: string; subnetIds: string[]; securityGroupId: string };

export const DEFAULTS: Omit<StageConfig, 'mskClusterArn' | 'mskNetwork'> = {
  stage: 'dev',
  topic: 'user-events',
  consumerBatchSize: 1000,
  consumerBatchingWindowSeconds: 30,
  consumerRetryAttempts: 3,
  topicRetentionHours: 168,
  consumerSilenceHours: 12,
  batchSchedule: 'cron(30 1 * * ? *)',
  bronzeRetentionDays: 0,
  derivedRetentionDays: 30,
  lakeStartDate: '2020-01-01',
  athenaScanLimitGb: 100,
  apiRateLimit: 500,
  apiBurstLimit: 1000,
  corsOrigins: [],
  goldModelMemoryMb: 4096,
  modelHoldout: formatHoldout(DEFAULT_HOLDOUT),
  modelGateMaxDrop: formatShare(DEFAULT_GATE.maxDrop),
  modelTrainEveryDays: DEFAULT_TRAIN_EVERY_DAYS,
  logRetentionDays: 30,
  tracing: ['batch'],
  logLevel: 'INFO',
  systemLogLevel: 'WARN',
  offsetLagThreshold: 100_000,
  apiP99LatencyMs: 500,
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Bronze is the lake's record of every event: a month at least, for re-runs and rebuilds. */
const MIN_BRONZE_RETENTION_DAYS = 31;
/** The retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const MSK_CLUSTER_ARN = /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9-]+\/[0-9a-f-]+-\d+$/;
const STAGE = /^[a-z][a-z0-9-]{0,19}$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const SCHEDULE = /^(cron\(.+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/;

/** Reads a context value by key; `App.node.tryGetContext` in the app. */
export type ContextReader = (key: string) => unknown;

export function readStageConfig(context: ContextReader): StageConfig {
  const stage = context('stage') ?? DEFAULTS.stage;
  if (typeof stage !== 'string' || !STAGE.test(stage)) {
    throw new ConfigError(`context "stage" must be 1-20 lower-case letters, digits or hyphens, starting with a letter; got ${JSON.stringify(stage)}`);
  }
  const stages = context('stages');
  const overrides = typeof stages === 'object' && stages !== null ? ((stages as Record<string, unknown>)[stage] ?? {}) : {};
  if (typeof overrides !== 'object' || overrides === null) throw new ConfigError(`context "stages.${stage}" must be an object`);
  const value = (key: string): unknown => {
    const own = (overrides as Record<string, unknown>)[key];
    return own !== undefined ? own : context(key);
  };
  const where = (key: string) => `context "${key}" (stage ${stage})`;

  const text = (key: keyof StageConfig, pattern: RegExp, expected: string, fallback?: string): string => {
    const v = value(key) ?? fallback;
    if (v === undefined) throw new ConfigError(`${where(key)} is required: ${expected}`);
    if (typeof v !== 'string' || !pattern.test(v)) throw new ConfigError(`${where(key)} must be ${expected}; got ${JSON.stringify(v)}`);
    return v;
  };
  const integer = (key: keyof StageConfig, min: number, max: number): number => {
    const v = value(key) ?? DEFAULTS[key as keyof typeof DEFAULTS];
    // `-c key=value` gives strings.
    const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(`${where(key)} must be an integer from ${min} to ${max}; got ${JSON.stringify(v)}`);
    }
    return n;
  };
  const origins = (): string[] => {
    const v = value('corsOrigins') ?? DEFAULTS.corsOrigins;
    const list = typeof v === 'string' ? v.split(',').map((o) => o.trim()).filter((o) => o !== '') : v;
    if (!Array.isArray(list) || !list.every((o) => typeof o === 'string' && /^https?:\/\/[^/\s*]+$/.test(o))) {
      throw new ConfigError(`${where('corsOrigins')} must be a list of origins like https://example.org; got ${JSON.stringify(v)}`);
    }
    return list as string[];
  };
  const retention = (): number => {
    const days = integer('logRetentionDays', 1, 3653);
    if (!LOG_RETENTION_DAYS.includes(days)) {
      throw new ConfigError(`${where('logRetentionDays')} must be one of CloudWatch's retention periods (${LOG_RETENTION_DAYS.join(', ')}); got ${days}`);
    }
    return days;
  };
  const pollers = (): { min: number; max: number } | undefined => {
    const v = value('consumerPollers');
    if (v === undefined || v === 'on-demand') return undefined;
    const m = typeof v === 'string' ? /^(\d+)-(\d+)$/.exec(v) : undefined;
    const p = m ? { min: Number(m[1]), max: Number(m[2]) } : (v as { min?: unknown; max?: unknown });
    const ok = typeof p === 'object' && p !== null && Number.isInteger(p.min) && Number.isInteger(p.max);
    if (!ok || (p.min as number) < 1 || (p.min as number) > 200 || (p.max as number) < (p.min as number) || (p.max as number) > 2000) {
      throw new ConfigError(`${where('consumerPollers')} must be "on-demand" or provisioned pollers {"min": 1-200, "max": min-2000} (or "MIN-MAX"); got ${JSON.stringify(v)}`);
    }
    return { min: p.min as number, max: p.max as number };
  };
  const network = (): MskNetwork => {
    const raw = value('mskNetwork');
    const v = typeof raw === 'string' && raw.trim().startsWith('{') ? (JSON.parse(raw) as unknown) : raw;
    const expected =
      '{"access": "existing"} (the VPC already reaches Lambda, STS and SQS) or {"access": "endpoints", "vpcId": "vpc-...", "subnetIds": ["subnet-..."], "securityGroupId": "sg-..."} (the cluster\'s)';
    if (v === undefined) throw new ConfigError(`${where('mskNetwork')} is required: ${expected}`);
    const n = v as Record<string, unknown>;
    if (typeof n === 'object' && n !== null && n.access === 'existing') return { access: 'existing' };
    const ids = (list: unknown, prefix: string) => Array.isArray(list) && list.length > 0 && list.every((id) => typeof id === 'string' && new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(id));
    if (typeof n === 'object' && n !== null && n.access === 'endpoints' && ids([n.vpcId], 'vpc') && ids(n.subnetIds, 'subnet') && ids([n.securityGroupId], 'sg')) {
      return { access: 'endpoints', vpcId: n.vpcId as string, subnetIds: n.subnetIds as string[], securityGroupId: n.securityGroupId as string };
    }
    throw new ConfigError(`${where('mskNetwork')} must be ${expected}; got ${JSON.stringify(v)}`);
  };
  const parsed = (key: 'modelHoldout' | 'modelGateMaxDrop', parse: (text: string) => unknown): string => {
    const v = value(key) ?? DEFAULTS[key];
    try {
      if (typeof v !== 'string') throw new RangeError(`got ${JSON.stringify(v)}`);
      parse(v);
      return v;
    } catch (err) {
      throw new ConfigError(`${where(key)}: ${(err as Error).message}`);
    }
  };
  const oneOf = <T extends string>(key: keyof StageConfig, allowed: readonly T[], why = ''): T => {
    const v = value(key) ?? DEFAULTS[key as keyof typeof DEFAULTS];
    if (typeof v !== 'string' || !allowed.includes(v as T)) {
      throw new ConfigError(`${where(key)} must be one of ${allowed.join(', ')}${why}; got ${JSON.stringify(v)}`);
    }
    return v as T;
  };
  const traced = (): TracedFunctions[] => {
    const v = value('tracing') ?? DEFAULTS.tracing;
    const list = v === 'none' ? [] : typeof v === 'string' ? v.split(',').map((f) => f.trim()) : v;
    if (!Array.isArray(list) || !list.every((f) => TRACED_FUNCTIONS.includes(f as TracedFunctions))) {
      throw new ConfigError(`${where('tracing')} must be a list of ${TRACED_FUNCTIONS.join(', ')} (or "none"); got ${JSON.stringify(v)}`);
    }
    return [...new Set(list as TracedFunctions[])];
  };
  if (value('bronzeInfrequentAccessDays') !== undefined) {
    throw new ConfigError(
      `${where('bronzeInfrequentAccessDays')} is no longer a setting: S3 moves no object under 128 KB to Infrequent Access, and bronze objects are a few KB`,
    );
  }
  const email = value('alarmEmail');
  if (email !== undefined && (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))) {
    throw new ConfigError(`${where('alarmEmail')} must be an e-mail address; got ${JSON.stringify(email)}`);
  }

  const config: StageConfig = {
    stage,
    mskClusterArn: text('mskClusterArn', MSK_CLUSTER_ARN, 'an MSK cluster ARN, arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>'),
    topic: text('topic', TOPIC, 'a Kafka topic name', DEFAULTS.topic),
    consumerBatchSize: integer('consumerBatchSize', 1, 10_000),
    consumerBatchingWindowSeconds: integer('consumerBatchingWindowSeconds', 0, 300),
    ...(pollers() ? { consumerPollers: pollers() } : {}),
    consumerRetryAttempts: integer('consumerRetryAttempts', 0, 10_000),
    topicRetentionHours: integer('topicRetentionHours', 1, 1_000_000),
    mskNetwork: network(),
    consumerSilenceHours: integer('consumerSilenceHours', 1, 168),
    batchSchedule: text('batchSchedule', SCHEDULE, 'an EventBridge cron(...) or rate(...) expression', DEFAULTS.batchSchedule),
    bronzeRetentionDays: integer('bronzeRetentionDays', 0, 36_500),
    // The next day's batch merges onto this day's silver: it must outlive a day, with a margin.
    derivedRetentionDays: integer('derivedRetentionDays', 3, 36_500),
    lakeStartDate: text('lakeStartDate', DATE, 'a date, YYYY-MM-DD', DEFAULTS.lakeStartDate),
    athenaScanLimitGb: integer('athenaScanLimitGb', 1, 100_000),
    apiRateLimit: integer('apiRateLimit', 1, 100_000),
    apiBurstLimit: integer('apiBurstLimit', 1, 100_000),
    corsOrigins: origins(),
    goldModelMemoryMb: integer('goldModelMemoryMb', 512, 10_240),
    modelHoldout: parsed('modelHoldout', parseHoldout),
    modelGateMaxDrop: parsed('modelGateMaxDrop', parseMaxDrop),
    modelTrainEveryDays: integer('modelTrainEveryDays', 1, MAX_TRAIN_EVERY_DAYS),
    logRetentionDays: retention(),
    tracing: traced(),
    logLevel: oneOf('logLevel', APPLICATION_LOG_LEVELS, " (above INFO, Lambda would drop the consumer's metrics, whose lines have no level: it counts them as INFO)"),
    systemLogLevel: oneOf('systemLogLevel', SYSTEM_LOG_LEVELS),
    offsetLagThreshold: integer('offsetLagThreshold', 1, 1_000_000_000),
    apiP99LatencyMs: integer('apiP99LatencyMs', 1, 30_000),
    ...(email === undefined ? {} : { alarmEmail: email as string }),
  };
  if (config.bronzeRetentionDays !== 0 && config.bronzeRetentionDays < MIN_BRONZE_RETENTION_DAYS) {
    throw new ConfigError(`${where('bronzeRetentionDays')} must be 0 (keep) or at least ${MIN_BRONZE_RETENTION_DAYS}; got ${config.bronzeRetentionDays}`);
  }
  if (config.modelTrainEveryDays > config.derivedRetentionDays) {
    throw new ConfigError(
      `${where('modelTrainEveryDays')} (${config.modelTrainEveryDays}) must not exceed derivedRetentionDays (${config.derivedRetentionDays}): the days between trainings take the weights from gold's trained model, which must still be there`,
    );
  }
  if (!config.consumerPollers && value('consumerRetryAttempts') !== undefined) {
    throw new ConfigError(
      `${where('consumerRetryAttempts')} needs provisioned pollers (consumerPollers): AWS limits the retries of a Kafka event source in provisioned mode only; on demand, a failing batch is retried until it succeeds or its records leave the topic`,
    );
  }
  return config;
}

/** The parts of an MSK cluster ARN that name its topics and consumer groups in IAM. */
export function mskClusterParts(arn: string): { partition: string; region: string; account: string; name: string; uuid: string } {
  const [, partition, , region, account, resource] = arn.split(':') as [string, string, string, string, string, string];
  const [, name, uuid] = resource.split('/') as [string, string, string];
  return { partition, region, account, name, uuid };
}
