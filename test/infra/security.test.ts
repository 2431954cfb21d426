import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeOutdir, synthesize, type Synthesized } from '../helpers/cdk-app';

interface Statement {
  Action: string | string[];
  Resource: unknown;
}
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Per function role: the data actions it is allowed (logging and tracing aside). */
const EXPECTED: Record<string, string[]> = {
  IngestConsumerRole: [
    'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
    'kafka-cluster:AlterGroup', 'kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration',
    'kafka-cluster:DescribeGroup', 'kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData',
    'kafka:DescribeCluster', 'kafka:GetBootstrapBrokers', 'kafka:ListScramSecrets',
    's3:PutObject', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage',
  ],
  BatchResolveDateRole: [],
  BatchBronzeToSilverRole: [
    'athena:BatchGetQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:ListQueryExecutions',
    'athena:StartQueryExecution', 'athena:StopQueryExecution',
    'glue:GetDatabase', 'glue:GetPartitions', 'glue:GetTable',
    's3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListMultipartUploadParts', 's3:PutObject',
  ],
  BatchGoldModelRole: ['dynamodb:GetItem', 's3:GetObject', 's3:ListBucket', 's3:PutObject'],
  BatchPublishRole: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 's3:GetObject', 's3:ListBucket'],
  BatchRecordFailureRole: ['dynamodb:PutItem'],
  ApiRecommendRole: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 's3:GetObject', 's3:ListBucket'],
};

/** Per function role: the DynamoDB actions it is allowed on each table, by the table's role. */
const TABLE_ACTIONS: Record<string, Record<string, string[]>> = {
  IngestConsumerRole: { users: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem'], movies: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'] },
  BatchGoldModelRole: { models: ['dynamodb:GetItem'] },
  BatchPublishRole: { users: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'], movies: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'], models: ['dynamodb:GetItem', 'dynamodb:PutItem'], runs: ['dynamodb:PutItem'] },
  BatchRecordFailureRole: { runs: ['dynamodb:PutItem'] },
  ApiRecommendRole: { users: ['dynamodb:BatchGetItem', 'dynamodb:Query'], movies: ['dynamodb:BatchGetItem'], models: ['dynamodb:GetItem'] },
};

describe('security of the stack', () => {
  let s: Synthesized;
  let resources: Resources;
  const policies = () => Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Policy');
  const statements = (policy: { Properties: Record<string, unknown> }) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  const actions = (st: Statement) => ([] as string[]).concat(st.Action);

  beforeAll(() => {
    s = synthesize({ stage: 'sec' });
    resources = s.template.toJSON().Resources as Resources;
  });
  afterAll(() => removeOutdir(s));

  it('passes cdk-nag AwsSolutions with no finding left unacknowledged', () => {
    expect(s.nag.violations).toEqual([]);
  });

  it('gives every acknowledgement a reason', () => {
    // Each acknowledgement is kept as metadata: { "<kind>::<rule id>": reason }.
    const acknowledged = s.stack.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))),
      )
      .filter((a) => a.id.includes('AwsSolutions-'));
    expect(acknowledged.length).toBeGreaterThan(10);
    for (const a of acknowledged) {
      expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(30);
    }
  });

  it('would fail synth on an unacknowledged finding: the checks are live', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'movierec-nag-'));
    const app = new App({ outdir });
    new Bucket(new Stack(app, 'Careless'), 'Plain');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow();
    const report = readFileSync(join(outdir, 'validation-report.json'), 'utf8');
    expect(report).toContain('AwsSolutions-S10'); // no SSL-only policy
    rmSync(outdir, { recursive: true, force: true });
  });

  it('grants no wildcard action anywhere', () => {
    for (const [id, policy] of policies()) {
      for (const st of statements(policy)) for (const a of actions(st)) expect(a, id).not.toContain('*');
    }
  });

  it('gives each function exactly the data actions its adapters use', () => {
    const byRole = Object.fromEntries(
      policies().map(([, policy]) => {
        const role = ((policy.Properties.Roles as { Ref: string }[])[0]!.Ref).replace(/[0-9A-F]{8}$/, '');
        const data = [...new Set(statements(policy).flatMap(actions))].filter((a) => !/^(logs|xray):/.test(a)).sort();
        return [role, data];
      }),
    );
    for (const [role, expected] of Object.entries(EXPECTED)) expect(byRole[role] ?? [], role).toEqual(expected);
    expect(byRole.BatchSilverFeaturesRole).toEqual(EXPECTED.BatchBronzeToSilverRole);
  });

  it('gives each function its DynamoDB actions on the tables it uses them on, and no other', () => {
    const byRole: Record<string, Record<string, string[]>> = {};
    for (const [, policy] of policies()) {
      const role = ((policy.Properties.Roles as { Ref: string }[])[0]!.Ref).replace(/[0-9A-F]{8}$/, '');
      for (const st of statements(policy)) {
        const dynamo = actions(st).filter((a) => a.startsWith('dynamodb:'));
        for (const resource of ([] as unknown[]).concat(st.Resource)) {
          const table = /"Features(Users|Movies|Models|Runs)[0-9A-F]{8}"/.exec(JSON.stringify(resource))?.[1]?.toLowerCase();
          if (!table || dynamo.length === 0) continue;
          ((byRole[role] ??= {})[table] ??= []).push(...dynamo);
        }
      }
    }
    for (const tables of Object.values(byRole)) for (const [t, list] of Object.entries(tables)) tables[t] = [...new Set(list)].sort();
    expect(byRole).toEqual(TABLE_ACTIONS);
  });

  it('scopes S3 object access to key prefixes, never the whole bucket', () => {
    for (const [id, policy] of policies()) {
      for (const st of statements(policy).filter((x) => actions(x).some((a) => /^s3:(Get|Put|Delete)Object$/.test(a)))) {
        for (const resource of ([] as unknown[]).concat(st.Resource)) {
          const text = JSON.stringify(resource);
          expect(text, id).toMatch(/\/(bronze\/events|bronze\/quarantine|catalog|silver\/(_receipts\/)?[a-z_]+|gold(\/model)?|athena-results)\/\*"/);
        }
      }
    }
  });

  it('lets the recommend function only read', () => {
    const recommend = policies().find(([id]) => id.startsWith('ApiRecommendRole'))!;
    const writes = statements(recommend[1]).flatMap(actions).filter((a) => /Put|Update|Delete|Write/.test(a) && !/^(logs|xray):/.test(a));
    expect(writes).toEqual([]);
  });

  it('attaches no AWS-managed policy but the one the MSK event source needs', () => {
    const managed = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role')
      .flatMap(([id, r]) => ((r.Properties.ManagedPolicyArns as unknown[] | undefined) ?? []).map((arn) => [id, JSON.stringify(arn)]));
    expect(managed).toEqual([[expect.stringMatching(/^IngestConsumerRole/), expect.stringContaining('service-role/AWSLambdaMSKExecutionRole')]]);
  });

  it('encrypts data at rest: the buckets, the tables, the failure queue and the alarm topic', () => {
    for (const [, b] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::S3::Bucket')) {
      expect(b.Properties.BucketEncryption).toBeDefined();
    }
    for (const [, t] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::GlobalTable')) {
      expect(t.Properties.SSESpecification).toMatchObject({ SSEEnabled: true });
    }
    s.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    s.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });
});
