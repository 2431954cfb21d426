import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../lib/app';
import type { MovierecStack } from '../../lib/movierec-stack';
import { PROJECT_ROOT } from './local-process';

export const CLUSTER_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/events/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2';
/** The cluster's network, for endpoints in its subnets. */
export const MSK_NETWORK = {
  access: 'endpoints',
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-1a1b2c3d4e5f60718'],
  securityGroupId: 'sg-0a1b2c3d4e5f60718',
} as const;

export interface Violation {
  ruleName: string;
  violatingConstructs: { constructPath: string }[];
  reason?: string;
}

export interface Synthesized {
  stack: MovierecStack;
  template: Template;
  /** cdk-nag's findings: open ones fail synth; acknowledged ones carry their reason. */
  nag: { violations: Violation[]; acknowledged: Violation[] };
  outdir: string;
}

/**
 * The app as `cdk synth` builds it (the stack, cdk-nag's AwsSolutions checks), for the given
 * context. Bundling is skipped unless asked for: it is the slow part and most tests look at the
 * template only.
 */
export function synthesize(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'movierec-cdk-'));
  // cdk.json's context first (its feature flags shape the template), as `cdk synth` reads it.
  const project = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
  const full = {
    ...project,
    mskClusterArn: CLUSTER_ARN,
    mskNetwork: MSK_NETWORK,
    stage: 'dev',
    ...context,
    ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
  };
  const app = new App({ outdir, context: full });
  const stack = buildApp(app);
  try {
    app.synth();
  } catch (err) {
    // A failed validation still writes its report, read below; anything else is a real error.
    if (!existsSync(join(outdir, 'validation-report.json'))) throw err;
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; violations: Violation[]; suppressedViolations?: Violation[] }[];
  };
  const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
  return {
    stack,
    template: Template.fromStack(stack),
    nag: { violations: nag?.violations ?? [], acknowledged: nag?.suppressedViolations ?? [] },
    outdir,
  };
}

export function removeOutdir(s: Synthesized): void {
  rmSync(s.outdir, { recursive: true, force: true });
}
