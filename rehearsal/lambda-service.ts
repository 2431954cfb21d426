/**
 * Lambda for the rehearsal: each function of the template runs its deployed bundle (the asset CDK
 * built) in a sandbox process of its own, with exactly the environment the template gives it plus
 * what the Lambda runtime sets (region, function name, handler, credentials of its role, log level,
 * X-Ray daemon when traced). The only addition is the emulation's wiring: one AWS endpoint (the
 * gateway) and S3 checksums only when required. Invocations of a function run one at a time, with
 * its timeout. Its output is kept as Lambda keeps it (lambda-logs.ts): what reaches CloudWatch
 * Logs, and the metric documents among it, are counted.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Authorizer, Principal } from './authorizer';
import type { AwsGateway } from './aws-gateway';
import { applicationLine, platformLines, type LogLevels } from './lambda-logs';
import type { DeployedTemplate } from './template';

export interface DeployedFunction {
  logicalId: string;
  name: string;
  arn: string;
  principal: Principal;
  codeDir: string;
  handler: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  tracing: boolean;
  jsonLogs: boolean;
  logLevels: LogLevels;
}

export interface LambdaError {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

export type InvokeResult = { ok: true; value: unknown } | { ok: false; error: LambdaError };

export interface FunctionStats {
  invocations: number;
  errors: number;
  /** Milliseconds of the invocations, each rounded up as Lambda bills it. */
  billedMs: number;
  /** Metric documents (CloudWatch embedded metric format) the function printed that Lambda keeps. */
  metrics: number;
  /** Those it printed below its log level, which Lambda drops: their metrics never exist. */
  droppedMetrics: number;
  /** Each custom metric the kept documents define: namespace, name and dimensions. */
  metricKeys: Set<string>;
  /** What Lambda sends to CloudWatch Logs: lines and bytes, its own start and report lines included. */
  logEvents: number;
  logBytes: number;
  /** The function's last output lines, for a report on failure. */
  output: string[];
}

/** Variables that Lambda sets itself and refuses in a function's configuration. */
const RESERVED = /^(_HANDLER|_X_AMZN_TRACE_ID|AWS_REGION|AWS_EXECUTION_ENV|AWS_LAMBDA_\w+|AWS_ACCESS_KEY(_ID)?|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|LAMBDA_TASK_ROOT|LAMBDA_RUNTIME_DIR|AWS_XRAY_\w+|_AWS_XRAY_\w+)$/;

export class LambdaService {
  readonly functions: DeployedFunction[] = [];
  readonly stats = new Map<string, FunctionStats>();
  /** Configuration errors Lambda itself would refuse. */
  readonly problems: string[] = [];
  traceSegments = 0;
  private readonly sandboxes = new Map<string, Sandbox>();
  private xray?: Socket;

  constructor(
    private readonly options: {
      template: DeployedTemplate;
      authorizer: Authorizer;
      gateway: AwsGateway;
      gatewayUrl: string;
      /** The cloud assembly: where the function assets are. */
      assemblyDir: string;
      /** The sandbox program, built to ESM. */
      sandboxFile: string;
    },
  ) {
    const t = options.template;
    for (const id of t.ofType('AWS::Lambda::Function')) {
      const roleArn = t.property<string>(id, 'Role');
      const roleId = t.ofType('AWS::IAM::Role').find((r) => t.resolve({ 'Fn::GetAtt': [r, 'Arn'] }) === roleArn);
      if (!roleId) throw new Error(`${id}: its role ${roleArn} is not in the template`);
      const code = t.property<{ S3Key?: string }>(id, 'Code');
      if (!code.S3Key) throw new Error(`${id}: the rehearsal runs asset code only`);
      const environment = t.property<{ Variables?: Record<string, string> } | undefined>(id, 'Environment')?.Variables ?? {};
      for (const name of Object.keys(environment)) if (RESERVED.test(name)) this.problems.push(`${id}: Lambda reserves the environment variable ${name}`);
      const logging = t.property<{ LogFormat?: string; ApplicationLogLevel?: string; SystemLogLevel?: string } | undefined>(id, 'LoggingConfig');
      this.functions.push({
        logicalId: id,
        name: t.physicalName(id),
        arn: t.resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string,
        principal: options.authorizer.principal(roleId, functionLabel(id)),
        codeDir: join(options.assemblyDir, `asset.${code.S3Key.replace(/\.zip$/, '')}`),
        handler: t.property<string>(id, 'Handler'),
        environment,
        timeoutSeconds: t.property<number | undefined>(id, 'Timeout') ?? 3,
        memoryMb: t.property<number | undefined>(id, 'MemorySize') ?? 128,
        tracing: t.property<{ Mode?: string } | undefined>(id, 'TracingConfig')?.Mode === 'Active',
        jsonLogs: logging?.LogFormat === 'JSON',
        // In the JSON format Lambda filters at INFO unless told otherwise; in text it filters nothing.
        logLevels: logging?.LogFormat === 'JSON' ? { application: logging.ApplicationLogLevel ?? 'INFO', system: logging.SystemLogLevel ?? 'INFO' } : {},
      });
    }
  }

  /** Listens for the functions' trace segments, as the X-Ray daemon does. */
  async start(): Promise<void> {
    this.xray = createSocket('udp4');
    this.xray.on('message', () => this.traceSegments++);
    await new Promise<void>((resolve) => this.xray!.bind(0, '127.0.0.1', resolve));
  }

  byArn(arn: string): DeployedFunction | undefined {
    // A qualified ARN (version or alias) names the same function.
    return this.functions.find((f) => arn === f.arn || arn.startsWith(`${f.arn}:`));
  }

  byLabel(label: string): DeployedFunction {
    const fn = this.functions.find((f) => f.principal.name === label);
    if (!fn) throw new Error(`no function ${label} in the template`);
    return fn;
  }

  async invoke(fn: DeployedFunction, event: unknown): Promise<InvokeResult> {
    const stats = this.statsOf(fn);
    stats.invocations++;
    let sandbox = this.sandboxes.get(fn.logicalId);
    if (!sandbox || sandbox.dead) {
      sandbox = new Sandbox(fn, this.environment(fn), this.options.sandboxFile, stats);
      this.sandboxes.set(fn.logicalId, sandbox);
    }
    const started = performance.now();
    const result = await sandbox.invoke(event);
    const durationMs = performance.now() - started;
    stats.billedMs += Math.ceil(durationMs);
    for (const line of platformLines(fn.logLevels, { durationMs, memoryMb: fn.memoryMb, traced: fn.tracing })) {
      stats.logEvents++;
      stats.logBytes += Buffer.byteLength(line);
    }
    if (!result.ok) stats.errors++;
    return result;
  }

  /** Counts from nothing again: what was counted so far is forgotten. */
  resetStats(): void {
    this.stats.clear();
    for (const sandbox of this.sandboxes.values()) sandbox.stats = this.statsOf(sandbox.fn);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sandboxes.values()].map((s) => s.stop()));
    await new Promise<void>((resolve) => (this.xray ? this.xray.close(() => resolve()) : resolve()));
  }

  private statsOf(fn: DeployedFunction): FunctionStats {
    let stats = this.stats.get(fn.principal.name);
    if (!stats) {
      stats = { invocations: 0, errors: 0, billedMs: 0, metrics: 0, droppedMetrics: 0, metricKeys: new Set(), logEvents: 0, logBytes: 0, output: [] };
      this.stats.set(fn.principal.name, stats);
    }
    return stats;
  }

  private environment(fn: DeployedFunction): Record<string, string> {
    const { place } = this.options.template;
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    this.options.gateway.register(accessKeyId, fn.principal);
    const xray = this.xray!.address() as AddressInfo;
    const logGroup = `/aws/lambda/${fn.name}`;
    return {
      ...fn.environment,
      AWS_REGION: place.region,
      AWS_DEFAULT_REGION: place.region,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs',
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: logGroup,
      AWS_LAMBDA_LOG_STREAM_NAME: `rehearsal/[$LATEST]${randomBytes(16).toString('hex')}`,
      ...(fn.jsonLogs ? { AWS_LAMBDA_LOG_FORMAT: 'JSON' } : {}),
      ...(fn.logLevels.application ? { AWS_LAMBDA_LOG_LEVEL: fn.logLevels.application } : {}),
      LAMBDA_TASK_ROOT: fn.codeDir,
      _HANDLER: fn.handler,
      TZ: ':UTC',
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: randomBytes(20).toString('base64'),
      AWS_SESSION_TOKEN: randomBytes(32).toString('base64'),
      ...(fn.tracing
        ? { AWS_XRAY_DAEMON_ADDRESS: `${xray.address}:${xray.port}`, AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR' }
        : {}),
      // The emulation's wiring: every service at the gateway; s3rver takes checksums only when required.
      AWS_ENDPOINT_URL: this.options.gatewayUrl,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      // The sandbox runs on this machine's Node.js, the function on Lambda's newer one, where the SDK does not warn.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      REHEARSAL_FUNCTION_ARN: fn.arn,
    };
  }
}

/** The report's name of a function: the entry it runs (Publish, consume, ...), from its logical id. */
export function functionLabel(logicalId: string): string {
  const id = logicalId.replace(/[0-9A-F]{8}$/, '');
  if (id.startsWith('IngestConsumer')) return 'consume';
  if (id.startsWith('ApiRecommend')) return 'recommend';
  return id.replace(/^Batch/, '');
}

const MAX_OUTPUT_LINES = 40;
/** How much of a sandbox's output an exit error carries. */
const EXIT_OUTPUT_LINES = 5;

class Sandbox {
  dead = false;
  private readonly child: ChildProcess;
  private readonly ready: Promise<InvokeResult | undefined>;
  private queue: Promise<unknown> = Promise.resolve();
  private pending?: (result: InvokeResult) => void;
  private nextId = 0;

  constructor(
    readonly fn: DeployedFunction,
    env: Record<string, string>,
    sandboxFile: string,
    public stats: FunctionStats,
  ) {
    this.child = fork(sandboxFile, [], { env, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    for (const [name, stream] of [['stdout', this.child.stdout!], ['stderr', this.child.stderr!]] as const) {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.output(line, name);
      });
    }
    this.ready = new Promise((resolve) => {
      this.child.once('message', (m: { ready: boolean; error?: LambdaError }) => resolve(m.ready ? undefined : { ok: false, error: { ...m.error!, errorType: `Runtime.ImportModuleError: ${m.error!.errorType}` } }));
      this.child.once('exit', (code) => resolve({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: `the sandbox exited with code ${code} while starting` } }));
    });
    this.child.on('message', (m: { id?: number; ok: boolean; value?: unknown; error?: LambdaError }) => {
      if (m.id !== undefined) this.pending?.(m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error! });
    });
    this.child.on('exit', (code, signal) => {
      this.dead = true;
      const last = this.stats.output.slice(-EXIT_OUTPUT_LINES).join('\n');
      this.pending?.({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: `the sandbox exited (${signal ?? code}) during an invocation${last ? `; its last output:\n${last}` : ''}` } });
    });
  }

  invoke(event: unknown): Promise<InvokeResult> {
    const run = this.queue.then(() => this.run(event));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    if (this.dead) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  private async run(event: unknown): Promise<InvokeResult> {
    const failedStart = await this.ready;
    if (failedStart) return failedStart;
    if (this.dead) return { ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: 'the sandbox is gone' } };
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    return new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        finish({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds` } });
      }, timeoutMs);
      const finish = (result: InvokeResult) => {
        clearTimeout(timer);
        this.pending = undefined;
        resolve(result);
      };
      this.pending = finish;
      this.child.send({ id: this.nextId++, event, deadline: Date.now() + timeoutMs });
    });
  }

  private output(line: string, stream: 'stdout' | 'stderr'): void {
    if (line.trim() === '') return;
    const { kept, bytes } = applicationLine(line, stream, this.fn.logLevels);
    if (kept) {
      this.stats.logEvents++;
      this.stats.logBytes += bytes;
    }
    if (line.includes('"_aws"')) {
      if (!kept) this.stats.droppedMetrics++;
      else {
        this.stats.metrics++;
        for (const key of metricKeys(line)) this.stats.metricKeys.add(key);
      }
    }
    this.stats.output.push(line);
    if (this.stats.output.length > MAX_OUTPUT_LINES) this.stats.output.shift();
  }
}

/** The custom metrics an embedded-metric-format document defines: `namespace metric dimension=value,...`. */
function metricKeys(line: string): string[] {
  const doc = JSON.parse(line) as { _aws?: { CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;
  return (doc._aws?.CloudWatchMetrics ?? []).flatMap((d) =>
    d.Metrics.flatMap((m) => (d.Dimensions.length > 0 ? d.Dimensions : [[]]).map((set) => `${d.Namespace} ${m.Name} ${set.map((n) => `${n}=${String(doc[n])}`).join(',')}`)),
  );
}
