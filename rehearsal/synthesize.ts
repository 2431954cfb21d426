/**
 * The stack as `cdk synth` makes it for deployment: cdk.json's context (its stage, settings and
 * feature flags) with any overrides, cdk-nag's checks, and the Lambda bundles built by esbuild
 * into the cloud assembly, where the rehearsal runs them from.
 */
import { App } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../lib/app';
import type { CfnTemplate } from './template';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface SynthesizedStack {
  stackName: string;
  template: CfnTemplate;
  /** The cloud assembly folder. */
  outdir: string;
}

export function synthesizeStack(overrides: Record<string, unknown> = {}): SynthesizedStack {
  const outdir = mkdtempSync(join(tmpdir(), 'movierec-rehearsal-'));
  const { context } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const app = new App({ outdir, context: { ...context, ...overrides } });
  const stack = buildApp(app);
  app.synth();
  const template = JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')) as CfnTemplate;
  return { stackName: stack.stackName, template, outdir };
}
