import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyStatement } from '../../rehearsal/iam-policy';
import { rehearse } from '../../rehearsal/rehearse';
import { synthesizeStack, type SynthesizedStack } from '../../rehearsal/synthesize';
import type { CfnTemplate } from '../../rehearsal/template';

/** Takes `action` on the table out of the role's policies: the rest of each statement stays. */
function withoutGrant(template: CfnTemplate, rolePrefix: string, action: string, tableLogicalIdPrefix: string): void {
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Policy' || !id.startsWith(rolePrefix)) continue;
    const document = r.Properties!.PolicyDocument as { Statement: PolicyStatement[] };
    document.Statement = document.Statement.flatMap((s) => {
      const actions = ([] as string[]).concat(s.Action ?? []);
      const resources = ([] as unknown[]).concat(s.Resource ?? []);
      const table = resources.filter((res) => JSON.stringify(res).includes(tableLogicalIdPrefix));
      if (!actions.includes(action) || table.length === 0) return [s];
      const others = resources.filter((res) => !table.includes(res));
      const rest = actions.filter((a) => a !== action);
      return [
        ...(others.length > 0 ? [{ ...s, Resource: others as string[] }] : []),
        ...(rest.length > 0 ? [{ ...s, Action: rest, Resource: table as string[] }] : []),
      ];
    });
  }
}

describe('the rehearsal of the deployment (npm run rehearse)', () => {
  let stack: SynthesizedStack;
  beforeAll(() => {
    stack = synthesizeStack();
  }, 120_000);
  afterAll(() => rmSync(stack.outdir, { recursive: true, force: true }));

  it('runs every function of the stack as deployed, checks every call against its role, and finds no problem', async () => {
    const report = await rehearse({ stack });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.functions.map((f) => f.name).sort()).toEqual(
      ['BronzeToSilver', 'GoldModel', 'Publish', 'RecordFailure', 'ResolveDate', 'SilverFeatures', 'consume', 'recommend'],
    );
    for (const f of report.functions) expect(f.invocations, f.name).toBeGreaterThan(0);
    // The calls of each service the functions use, and those Athena and the event source make for them.
    for (const service of ['s3', 'dynamodb', 'athena', 'glue', 'kafka-cluster', 'lambda', 'states', 'sqs']) expect(report.checks[service], service).toBeGreaterThan(0);
    expect(report.denials).toEqual([]);
    expect(report.statements.length).toBeGreaterThanOrEqual(6);
    for (const s of report.statements) expect(s).toMatchObject({ errors: [], state: 'SUCCEEDED' });
    expect(report.statements.filter((s) => s.kind === 'unload')).toHaveLength(report.statements.length / 2);
    // Bronze of two days, then of three: a full run's Athena lists their 24 hour partitions each, not
    // every hour since the projection starts; the merge of the third day reads two days of bronze
    // and one date of silver.
    expect(report.statements.filter((s) => s.kind === 'unload').map((s) => s.partitions)).toEqual([48, 1, 1, 48, 1, 1, 49, 1, 1, 72, 1, 1]);
    expect(report.runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed']);
    expect(report.api.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 400, 400, 404, 405]);
    expect(report.traceSegments).toBeGreaterThan(0);
    // At the defaults the consumer's metrics reach CloudWatch, X-Ray traces the batch steps only, and
    // the recommend function writes no log line for a request answered as due.
    const fn = (name: string) => report.functions.find((f) => f.name === name)!;
    expect(fn('consume').metrics).toBe(fn('consume').invocations);
    expect(report.functions.filter((f) => f.traced).map((f) => f.name).sort()).toEqual(['BronzeToSilver', 'GoldModel', 'Publish', 'RecordFailure', 'ResolveDate', 'SilverFeatures']);
    expect(fn('recommend').logBytes).toBe(0);
  }, 180_000);

  it('fails on a removed grant, naming the function, the action and the resource', async () => {
    const report = await rehearse({ stack, alterTemplate: (t) => withoutGrant(t, 'BatchPublishRole', 'dynamodb:UpdateItem', 'FeaturesUsers') });
    expect(report.ok).toBe(false);
    const users = `arn:aws:dynamodb:${report.place.region}:${report.place.account}:table/movierec-example-users`;
    expect(report.denials).toContainEqual({ principal: 'Publish', action: 'dynamodb:UpdateItem', resource: users, decision: 'implicit deny' });
    expect(report.problems).toContainEqual(expect.stringMatching(new RegExp(`^Publish: dynamodb:UpdateItem on ${users} is not allowed by its role \\(\\d+ calls\\)$`)));
    // The run stops at Publish and records its failure; the model is never published.
    expect(report.runs[0]).toMatchObject({ status: 'failed', states: ['ResolveDate', 'BronzeToSilver', 'SilverFeatures', 'GoldModel', 'RecordFailure'] });
    expect(report.problems).toContainEqual(expect.stringContaining('Publish failed: AccessDeniedException'));
  }, 180_000);

  it("fails on an event source setting AWS refuses: retry limits without provisioned pollers", async () => {
    const report = await rehearse({
      stack,
      alterTemplate: (t) => {
        const esm = Object.values(t.Resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping')!;
        esm.Properties!.MaximumRetryAttempts = 3;
      },
    });
    expect(report.problems).toContainEqual(expect.stringMatching(/MaximumRetryAttempts on a Kafka event source needs provisioned mode/));
  }, 180_000);

  it("fails when a function's log level drops its metrics: Lambda counts a line without a level as INFO", async () => {
    const report = await rehearse({
      stack,
      alterTemplate: (t) => {
        const consumer = Object.entries(t.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('IngestConsumer'))![1];
        consumer.Properties!.LoggingConfig = { LogFormat: 'JSON', ApplicationLogLevel: 'WARN', SystemLogLevel: 'WARN' };
      },
    });
    expect(report.problems).toContainEqual(expect.stringMatching(/^consume: \d+ metric documents below its application log level \(WARN\), which Lambda drops/));
    expect(report.functions.find((f) => f.name === 'consume')).toMatchObject({ metrics: 0 });
  }, 180_000);
});
