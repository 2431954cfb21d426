import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_KEYS } from '../../lambdas/core/lake/table-keys';
import { BATCH_TASKS, DAILY_BATCH_WORKFLOW, RUN_TIMEOUT_SECONDS, STEP_TIMEOUT_SECONDS, substituteResources } from '../../lambdas/core/lake/daily-batch-workflow';
import { bronzeLine } from '../../lambdas/core/lake/lake-layout';
import { GOLD_COLUMNS, SILVER_COLUMNS } from '../../lambdas/core/lake/lake-tables';
import { FUNCTION_SETTINGS, type FunctionName } from '../../lambdas/entry/environment';
import { MSK_NETWORK, removeOutdir, synthesize, type Synthesized } from '../helpers/cdk-app';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

describe('the stack (aws-cdk-lib/assertions)', () => {
  let s: Synthesized;
  let template: Template;
  const of = (type: string): Resources => template.findResources(type) as Resources;
  const only = (type: string) => {
    const found = Object.values(of(type));
    expect(found).toHaveLength(1);
    return found[0]!.Properties;
  };

  beforeAll(() => {
    s = synthesize({ stage: 'test' });
    template = s.template;
  });
  afterAll(() => removeOutdir(s));

  describe('data lake', () => {
    it('keeps the lake bucket encrypted, private, versioned and access-logged, and refuses plain HTTP', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'lake/' }),
      });
      const policies = Object.values(of('AWS::S3::BucketPolicy'));
      expect(policies.length).toBe(2);
      for (const p of policies) {
        expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
      }
    });

    it('keeps bronze in S3 Standard, its objects being too small to move, and expires it only when a retention is set', () => {
      const rules = (t: Template) =>
        Object.values(t.findResources('AWS::S3::Bucket', { Properties: { VersioningConfiguration: { Status: 'Enabled' } } }))[0]!
          .Properties.LifecycleConfiguration.Rules as { Id: string; Prefix?: string; ExpirationInDays?: number; Transitions?: unknown[] }[];
      expect(rules(template).filter((r) => r.Prefix?.startsWith('bronze/'))).toEqual([]);
      expect(rules(template).filter((r) => r.Transitions)).toEqual([]);
      expect(rules(template).find((r) => r.Id === 'athena-results')).toMatchObject({ ExpirationInDays: 7 });

      const kept = synthesize({ stage: 'retention', bronzeRetentionDays: 400 });
      expect(rules(kept.template).filter((r) => r.Prefix?.startsWith('bronze/')).map((r) => [r.Prefix, r.ExpirationInDays])).toEqual([
        ['bronze/events/', 400],
        ['bronze/quarantine/', 400],
      ]);
      removeOutdir(kept);
    });

    it('defines Glue tables whose columns are the ones the code writes, partitions projected', () => {
      const tables = Object.fromEntries(
        Object.values(of('AWS::Glue::Table')).map((t) => {
          const input = t.Properties.TableInput as { Name: string; StorageDescriptor: { Columns: { Name: string; Type: string }[] }; Parameters: Record<string, string>; PartitionKeys: { Name: string }[] };
          return [input.Name, input];
        }),
      );
      const sample = bronzeLine({ offset: 1, event: { eventId: 'e', userId: 1, movieId: 2, rating: 3, eventTime: 4 } });
      expect(tables.bronze_events!.StorageDescriptor.Columns.map((c) => c.Name)).toEqual(Object.keys(sample));
      expect(tables.bronze_events!.PartitionKeys.map((p) => p.Name)).toEqual(['dt', 'hour']);
      expect(tables.bronze_events!.Parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.hour.digits': '2',
        'storage.location.template': expect.anything(),
      });
      for (const [name, columns] of Object.entries({ ...SILVER_COLUMNS, ...GOLD_COLUMNS })) {
        expect(tables[name]!.StorageDescriptor.Columns).toEqual(columns.map((c) => ({ Name: c.name, Type: c.type })));
      }
      expect(tables.catalog_movies!.StorageDescriptor.Columns).toContainEqual({ Name: 'genres', Type: 'array<string>' });
      expect(Object.keys(tables).sort()).toEqual(
        ['bronze_events', 'bronze_quarantine', 'catalog_movies', 'gold_item_neighbours', 'gold_movies', 'gold_popularity', ...Object.keys(SILVER_COLUMNS)].sort(),
      );
    });

    it('projects date partitions from the lake start date, which BronzeToSilver is told', () => {
      const ranges = (t: Template) =>
        Object.values(t.findResources('AWS::Glue::Table'))
          .map((r) => (r.Properties.TableInput as { Parameters: Record<string, string> }).Parameters['projection.dt.range'])
          .filter((r) => r !== undefined);
      const startOf = (t: Template) =>
        Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('BatchBronzeToSilver'))![1].Properties.Environment.Variables.LAKE_START_DATE;
      expect(new Set(ranges(template))).toEqual(new Set(['2020-01-01,NOW']));
      expect(startOf(template)).toBe('2020-01-01');
      const pinned = synthesize({ stage: 'pinned', lakeStartDate: '2026-11-01' });
      expect(new Set(ranges(pinned.template))).toEqual(new Set(['2026-11-01,NOW']));
      expect(startOf(pinned.template)).toBe('2026-11-01');
      removeOutdir(pinned);
    });

    it('gives Athena a workgroup with enforced settings, encrypted results and a scan limit', () => {
      const wg = only('AWS::Athena::WorkGroup');
      expect(wg).toMatchObject({
        Name: 'movierec-test-batch',
        WorkGroupConfiguration: {
          EnforceWorkGroupConfiguration: true,
          BytesScannedCutoffPerQuery: 100 * 1024 ** 3,
          EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
          ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
        },
      });
    });
  });

  it('creates the feature store tables on demand with point-in-time recovery, keyed as the adapters expect', () => {
    const tables = Object.values(of('AWS::DynamoDB::GlobalTable')).map((t) => t.Properties);
    expect(tables.map((t) => t.TableName).sort()).toEqual(['movierec-test-models', 'movierec-test-movies', 'movierec-test-runs', 'movierec-test-users']);
    for (const t of tables) {
      const role = (t.TableName as string).replace('movierec-test-', '') as keyof typeof TABLE_KEYS;
      const { partitionKey, sortKey } = TABLE_KEYS[role];
      expect(t.KeySchema).toEqual([
        { AttributeName: partitionKey.name, KeyType: 'HASH' },
        ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' }] : []),
      ]);
      expect(t.BillingMode).toBe('PAY_PER_REQUEST');
      expect(t.Replicas).toEqual([expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true })]);
    }
  });

  it('consumes the topic through an MSK event source: on-demand pollers retry until a batch succeeds, then to the failure queue', () => {
    const esm = only('AWS::Lambda::EventSourceMapping');
    expect(esm).toMatchObject({
      EventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/events/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2',
      Topics: ['user-events'],
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 30,
      StartingPosition: 'TRIM_HORIZON',
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'movierec-test-consumer' },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^IngestFailures/), 'Arn'] } } },
    });
    // AWS limits a Kafka event source's retries in provisioned mode only.
    expect(esm.MaximumRetryAttempts).toBeUndefined();
    expect(esm.ProvisionedPollerConfig).toBeUndefined();
    const tuned = synthesize({ stage: 'tuned', consumerBatchSize: 250, consumerBatchingWindowSeconds: 0, consumerPollers: { min: 1, max: 3 }, consumerRetryAttempts: 7 });
    expect(Object.values(tuned.template.findResources('AWS::Lambda::EventSourceMapping'))[0]!.Properties).toMatchObject({
      BatchSize: 250,
      MaximumBatchingWindowInSeconds: 0,
      MaximumRetryAttempts: 7,
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 },
    });
    // Provisioned pollers reach Lambda and STS by themselves: only the failure queue needs an endpoint.
    expect(Object.values(tuned.template.findResources('AWS::EC2::VPCEndpoint')).map((e) => JSON.stringify(e.Properties.ServiceName))).toEqual([
      expect.stringContaining('.sqs'),
    ]);
    removeOutdir(tuned);
  });

  it("keeps a failed batch's coordinates as long as the topic keeps its records, up to SQS's 14 days", () => {
    expect(only('AWS::SQS::Queue').MessageRetentionPeriod).toBe(168 * 3600);
    const long = synthesize({ stage: 'long', topicRetentionHours: 24 * 30 });
    expect(Object.values(long.template.findResources('AWS::SQS::Queue'))[0]!.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    removeOutdir(long);
  });

  it("gives the event source interface endpoints for Lambda, STS and SQS in the cluster's subnets, reachable from its security group", () => {
    const endpoints = Object.values(of('AWS::EC2::VPCEndpoint')).map((e) => e.Properties);
    expect(endpoints.map((e) => JSON.stringify(e.ServiceName)).sort()).toEqual([
      expect.stringContaining('.lambda'),
      expect.stringContaining('.sqs'),
      expect.stringContaining('.sts'),
    ]);
    for (const e of endpoints) {
      expect(e).toMatchObject({ VpcId: MSK_NETWORK.vpcId, SubnetIds: MSK_NETWORK.subnetIds, VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
    }
    expect(only('AWS::EC2::SecurityGroup')).toMatchObject({
      VpcId: MSK_NETWORK.vpcId,
      SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: MSK_NETWORK.securityGroupId }],
    });
    const existing = synthesize({ stage: 'nat', mskNetwork: { access: 'existing' } });
    expect(existing.template.findResources('AWS::EC2::VPCEndpoint')).toEqual({});
    removeOutdir(existing);
  });

  describe('daily batch', () => {
    it('deploys the very ASL document the local runner executes, each Task on its own function', () => {
      const sm = only('AWS::StepFunctions::StateMachine');
      const substitutions = sm.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>;
      // Fill the placeholders as CloudFormation will, with the functions' logical ids.
      const deployed = JSON.parse(
        Object.entries(substitutions).reduce((text, [name, arn]) => text.replaceAll(`\${${name}}`, arn['Fn::GetAtt'][0]), sm.DefinitionString as string),
      ) as unknown;
      const functions = Object.keys(of('AWS::Lambda::Function'));
      const expected = substituteResources((task) => functions.find((id) => id.startsWith(`Batch${task}`))!);
      expect(deployed).toEqual(expected);
      expect(Object.keys(substitutions)).toHaveLength(Object.keys(DAILY_BATCH_WORKFLOW.States).length - 1); // all Tasks, not the Fail state
      expect(sm).toMatchObject({ TracingConfiguration: { Enabled: true }, LoggingConfiguration: expect.objectContaining({ Level: 'ALL' }) });
    });

    it("has one run timeout, the document's, and gives each Task a little longer than its function's timeout", () => {
      const sm = only('AWS::StepFunctions::StateMachine');
      const definition = JSON.parse(sm.DefinitionString as string) as { TimeoutSeconds: number; States: Record<string, { TimeoutSeconds?: number; Resource?: string }> };
      expect(definition.TimeoutSeconds).toBe(RUN_TIMEOUT_SECONDS);
      const functions = of('AWS::Lambda::Function');
      for (const task of BATCH_TASKS) {
        const fn = Object.entries(functions).find(([id]) => id.startsWith(`Batch${task}`))![1];
        expect(fn.Properties.Timeout, task).toBe(STEP_TIMEOUT_SECONDS[task]);
        expect(definition.States[task]!.TimeoutSeconds, task).toBeGreaterThan(STEP_TIMEOUT_SECONDS[task]);
      }
    });

    it('starts once a day with {} (yesterday) on the configured schedule', () => {
      expect(only('AWS::Events::Rule')).toMatchObject({
        ScheduleExpression: 'cron(30 1 * * ? *)',
        Targets: [{ Arn: { Ref: expect.stringMatching(/^BatchStateMachine/) }, Input: '{}' }],
      });
    });
  });

  describe('HTTP API', () => {
    it('routes every request to the recommend function, throttled, with JSON access logs', () => {
      expect(only('AWS::ApiGatewayV2::Route')).toMatchObject({ RouteKey: '$default' });
      const stage = only('AWS::ApiGatewayV2::Stage');
      expect(stage).toMatchObject({ StageName: '$default', DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 } });
      const format = JSON.parse((stage.AccessLogSettings as { Format: string }).Format) as Record<string, string>;
      expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', latencyMs: '$context.responseLatency' });
    });

    it('allows no browser origin unless configured, then only those origins and GET', () => {
      expect(only('AWS::ApiGatewayV2::Api').CorsConfiguration).toBeUndefined();
      const cors = synthesize({ stage: 'cors', corsOrigins: ['https://movies.example'] });
      expect(Object.values(cors.template.findResources('AWS::ApiGatewayV2::Api'))[0]!.Properties.CorsConfiguration).toMatchObject({
        AllowOrigins: ['https://movies.example'],
        AllowMethods: ['GET'],
      });
      removeOutdir(cors);
    });
  });

  describe('observability', () => {
    it('traces the batch steps, logs JSON at the configured levels, and keeps the logs for the configured retention', () => {
      const functions = Object.entries(of('AWS::Lambda::Function'));
      expect(functions).toHaveLength(8);
      for (const [id, { Properties: f }] of functions) {
        const variables = (f.Environment as { Variables: Record<string, string> }).Variables;
        const perEvent = id.startsWith('IngestConsumer') || id.startsWith('ApiRecommend');
        expect(f, id).toMatchObject({ Runtime: 'nodejs24.x', LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: perEvent ? 'WARN' : 'INFO' } });
        // Lambda's sampling of an active function is AWS's: per function, tracing is on or off.
        expect((f.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active', id).toBe(!perEvent);
        expect(variables.POWERTOOLS_TRACE_ENABLED, id).toBe(perEvent ? 'false' : undefined);
        // Only the consumer publishes metrics of its own.
        expect(variables.POWERTOOLS_METRICS_NAMESPACE, id).toBe(id.startsWith('IngestConsumer') ? 'movierec/test' : undefined);
      }
      for (const g of Object.values(of('AWS::Logs::LogGroup'))) expect(g.Properties.RetentionInDays).toBe(30);

      const verbose = synthesize({ stage: 'verbose', tracing: 'consume,recommend,batch', logLevel: 'DEBUG', systemLogLevel: 'INFO' });
      for (const f of Object.values(verbose.template.findResources('AWS::Lambda::Function')) as Resources[string][]) {
        expect(f.Properties).toMatchObject({ TracingConfig: { Mode: 'Active' }, LoggingConfig: { SystemLogLevel: 'INFO' } });
        expect((f.Properties.Environment as { Variables: Record<string, string> }).Variables.POWERTOOLS_TRACE_ENABLED).toBeUndefined();
      }
      const consumer = Object.entries(verbose.template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('IngestConsumer'))![1] as Resources[string];
      expect(consumer.Properties.LoggingConfig).toMatchObject({ ApplicationLogLevel: 'DEBUG' });
      removeOutdir(verbose);
    });

    it('gives each function exactly the settings its entry reads, from the one list of names', () => {
      const entryOf = (id: string): FunctionName =>
        id.startsWith('IngestConsumer') ? 'consume' : id.startsWith('ApiRecommend') ? 'recommend' : (id.slice('Batch'.length).replace(/[0-9A-F]{8}$/, '') as FunctionName);
      const functions = Object.entries(of('AWS::Lambda::Function'));
      for (const [id, f] of functions) {
        const variables = Object.keys((f.Properties.Environment as { Variables: Record<string, unknown> }).Variables);
        const own = variables.filter((v) => !['POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_TRACE_ENABLED', 'NODE_OPTIONS'].includes(v)).sort();
        expect(own, id).toEqual([...FUNCTION_SETTINGS[entryOf(id)]].sort());
      }
      expect(new Set(functions.map(([id]) => entryOf(id)))).toEqual(new Set(Object.keys(FUNCTION_SETTINGS)));
    });

    it('alarms on consumer errors, lag and silence, failed batches and their age, batch runs, API 5xx and p99 latency, to the SNS topic', () => {
      const alarms = Object.values(of('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
      const byMetric = (name: string) => alarms.filter((a) => a.MetricName === name);
      expect(byMetric('Errors')).toHaveLength(1);
      // A mapping that never connects sends no data: missing data breaches.
      expect(byMetric('Invocations')[0]).toMatchObject({
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: 12,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
      expect(byMetric('ApproximateAgeOfOldestMessage')[0]).toMatchObject({ Threshold: 84 * 3600 });
      expect(byMetric('OffsetLag')[0]).toMatchObject({ Threshold: 100_000, Statistic: 'Maximum' });
      expect(byMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(1);
      expect(byMetric('5xx')).toHaveLength(1);
      expect(byMetric('Latency')[0]).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 500 });
      const batch = alarms.find((a) => JSON.stringify(a.Metrics ?? '').includes('ExecutionsFailed'));
      expect(batch).toBeDefined();
      expect(alarms).toHaveLength(8);
      for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringAlarms/) }]);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    });

    it('draws a dashboard of events consumed, lag, batch step durations, runs, API traffic and latency', () => {
      const body = JSON.stringify(only('AWS::CloudWatch::Dashboard').DashboardBody);
      for (const metric of ['EventsReceived', 'EventsQuarantined', 'OffsetLag', 'Duration', 'ExecutionsSucceeded', '5xx', 'Latency']) {
        expect(body).toContain(metric);
      }
      // Durations, latency and status counts are AWS's own metrics, not the functions'.
      for (const custom of ['BatchStepDuration', 'RecommendationLatency', 'Status5xx']) expect(body).not.toContain(custom);
    });

    it('e-mails alarms when an address is configured', () => {
      const mailed = synthesize({ stage: 'mail', alarmEmail: 'ops@movies.example' });
      mailed.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@movies.example' });
      removeOutdir(mailed);
      expect(Object.keys(of('AWS::SNS::Subscription'))).toHaveLength(0);
    });
  });
});
