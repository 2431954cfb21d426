/**
 * What the deployed template costs by the month whatever the traffic, and the retention periods
 * that decide how much is stored: read from the template itself, so that a change to the stack
 * shows in the bill.
 */
import type { DeployedTemplate } from '../rehearsal/template';

export interface TemplateFacts {
  /** Metrics the alarms evaluate: a metric math alarm pays for each of its metrics. */
  alarmMetrics: number;
  alarms: number;
  dashboards: number;
  kmsKeys: number;
  /** Tables with point-in-time recovery. */
  pitrTables: number;
  tables: number;
  /** Interface endpoints, each in this many availability zones (subnets). */
  interfaceEndpoints: { service: string; zones: number }[];
  /** Days each kind of data is kept; undefined: kept for good. */
  retentionDays: { silver?: number; gold?: number; bronze?: number; athenaResults?: number; accessLogs?: number; logs?: number };
  /** Whether the state machine is traced (its runs' Lambda calls then join its trace). */
  stateMachineTraced: boolean;
  /** The HTTP API's access log line, with `$context` variables. */
  accessLogFormat?: string;
}

interface LifecycleRule {
  Id?: string;
  Prefix?: string;
  ExpirationInDays?: number;
}

export function templateFacts(t: DeployedTemplate, lakeBucket: string): TemplateFacts {
  const alarms = t.ofType('AWS::CloudWatch::Alarm');
  const alarmMetrics = alarms.reduce((n, id) => {
    const metrics = t.property<{ MetricStat?: unknown }[] | undefined>(id, 'Metrics');
    return n + (metrics ? metrics.filter((m) => m.MetricStat !== undefined).length : 1);
  }, 0);
  const tables = [...t.ofType('AWS::DynamoDB::GlobalTable'), ...t.ofType('AWS::DynamoDB::Table')];
  const pitrTables = tables.filter((id) => {
    const replicas = t.property<{ PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled?: boolean } }[] | undefined>(id, 'Replicas');
    const own = t.property<{ PointInTimeRecoveryEnabled?: boolean } | undefined>(id, 'PointInTimeRecoverySpecification');
    return own?.PointInTimeRecoveryEnabled === true || (replicas ?? []).some((r) => r.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true);
  }).length;
  const interfaceEndpoints = t
    .ofType('AWS::EC2::VPCEndpoint')
    .filter((id) => t.property<string | undefined>(id, 'VpcEndpointType') === 'Interface')
    .map((id) => ({ service: t.property<string>(id, 'ServiceName').split('.').pop()!, zones: (t.property<string[] | undefined>(id, 'SubnetIds') ?? []).length }));

  const rules = (bucket: (name: string) => boolean) =>
    t.ofType('AWS::S3::Bucket').flatMap((id) => (bucket(t.physicalName(id)) ? (t.property<{ Rules?: LifecycleRule[] } | undefined>(id, 'LifecycleConfiguration')?.Rules ?? []) : []));
  const lake = rules((name) => name === lakeBucket);
  const expiry = (prefix: string) => lake.find((r) => r.Prefix === prefix)?.ExpirationInDays;
  const accessLogs = rules((name) => name !== lakeBucket).find((r) => r.ExpirationInDays !== undefined)?.ExpirationInDays;
  const logRetention = Math.max(0, ...t.ofType('AWS::Logs::LogGroup').map((id) => t.property<number | undefined>(id, 'RetentionInDays') ?? 0));

  const stages = t.ofType('AWS::ApiGatewayV2::Stage').map((id) => t.property<{ Format?: string } | undefined>(id, 'AccessLogSettings')?.Format);
  const stateMachines = t.ofType('AWS::StepFunctions::StateMachine');
  return {
    alarmMetrics,
    alarms: alarms.length,
    dashboards: t.ofType('AWS::CloudWatch::Dashboard').length,
    kmsKeys: t.ofType('AWS::KMS::Key').length,
    pitrTables,
    tables: tables.length,
    interfaceEndpoints,
    retentionDays: {
      silver: expiry('silver/'),
      gold: expiry('gold/'),
      bronze: expiry('bronze/events/'),
      athenaResults: expiry('athena-results/'),
      accessLogs,
      ...(logRetention > 0 ? { logs: logRetention } : {}),
    },
    stateMachineTraced: stateMachines.some((id) => t.property<{ Enabled?: boolean } | undefined>(id, 'TracingConfiguration')?.Enabled === true),
    ...(stages[0] ? { accessLogFormat: stages[0] } : {}),
  };
}

/** An access log line of the format for one request: its `$context` variables filled as API Gateway fills them. */
export function accessLogLine(format: string, request: { method: string; path: string; status: number; latencyMs: number }): string {
  const values: Record<string, string> = {
    requestId: 'Q3kCjgJdIAMEPzw=',
    'identity.sourceIp': '198.51.100.23',
    requestTimeEpoch: String(Date.now()),
    httpMethod: request.method,
    path: request.path,
    status: String(request.status),
    responseLatency: String(Math.round(request.latencyMs) + 4),
    integrationLatency: String(Math.round(request.latencyMs)),
    integrationErrorMessage: '-',
  };
  return format.replace(/\$context\.([A-Za-z.]+)/g, (_, name: string) => values[name] ?? '-');
}
