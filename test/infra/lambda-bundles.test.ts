import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FunctionName } from '../../lambdas/entry/environment';
import { BUNDLE_OPTIONS, LAMBDA_ENTRIES } from '../../lib/lambda-bundles';
import { PROJECT_ROOT } from '../helpers/local-process';
import { removeOutdir, synthesize } from '../helpers/cdk-app';
import { useTempDir } from '../helpers/temp-dir';

const ENVIRONMENT = {
  LAKE_BUCKET: 'movierec-lake',
  USERS_TABLE: 'movierec-users',
  MOVIES_TABLE: 'movierec-movies',
  MODELS_TABLE: 'movierec-models',
  RUNS_TABLE: 'movierec-batch-runs',
  ATHENA_WORKGROUP: 'movierec',
  ATHENA_DATABASE: 'movierec',
  LAKE_START_DATE: '2026-01-01',
  MODEL_HOLDOUT: '10%',
  MODEL_GATE_MAX_DROP: '10%',
  MODEL_TRAIN_EVERY_DAYS: '7',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_TRACE_ENABLED: 'false',
};

describe('Lambda bundles', () => {
  const tempDir = useTempDir();

  it.each(Object.keys(LAMBDA_ENTRIES) as FunctionName[])('bundles the %s entry into one loadable file', async (name) => {
    const outdir = tempDir();
    const result = await build({ ...BUNDLE_OPTIONS, entryPoints: { [name]: join(PROJECT_ROOT, LAMBDA_ENTRIES[name]) }, outdir, metafile: true });
    expect(result.errors).toEqual([]);
    const bundle = join(outdir, `${name}.mjs`);
    // The handler and every package are inside: the runtime resolves only Node's own modules.
    const inputs = Object.keys(result.metafile!.inputs);
    const imports = Object.values(result.metafile!.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    expect(imports.filter((path) => !isBuiltin(path))).toEqual([]);
    expect(inputs.some((i) => i.includes(LAMBDA_ENTRIES[name].replace('/entry/', '/handlers/')))).toBe(true);

    // Loading the bundle creates clients but opens no connection and needs only its environment.
    Object.assign(process.env, ENVIRONMENT);
    const module = (await import(pathToFileURL(bundle).href)) as { handler: unknown };
    expect(typeof module.handler).toBe('function');
  });

  it('names the missing setting when the environment lacks one', async () => {
    const outdir = tempDir();
    await build({ ...BUNDLE_OPTIONS, entryPoints: { consume: join(PROJECT_ROOT, LAMBDA_ENTRIES.consume) }, outdir });
    delete process.env.USERS_TABLE;
    await expect(import(`${pathToFileURL(join(outdir, 'consume.mjs')).href}?fresh`)).rejects.toThrow(
      'the environment variable USERS_TABLE (the users table (ratings and user features)) is required',
    );
  });

  it('runs a bundled batch step as Lambda would: the output to the next state, errors by name', async () => {
    const outdir = tempDir();
    await build({ ...BUNDLE_OPTIONS, entryPoints: { ResolveDate: join(PROJECT_ROOT, LAMBDA_ENTRIES.ResolveDate) }, outdir });
    Object.assign(process.env, ENVIRONMENT);
    const { handler } = (await import(pathToFileURL(join(outdir, 'ResolveDate.mjs')).href)) as {
      handler: (event: unknown, context: object) => Promise<unknown>;
    };
    const context = { functionName: 'ResolveDate', awsRequestId: 'test', getRemainingTimeInMillis: () => 60_000 };
    expect(await handler({ date: '2026-11-24' }, context)).toMatchObject({ date: '2026-11-24', asOf: expect.any(Number) });
    // The workflow's Catch sees the error's name: InvalidBatchInput, not a generic Error.
    await expect(handler({ date: '2026-02-30' }, context)).rejects.toMatchObject({ name: 'InvalidBatchInput' });
  });

  it('gives each function of the synthesized stack its own bundle, built from its own entry', () => {
    const synthesized = synthesize({ stage: 'bundles' }, { bundle: true });
    const functions = Object.entries(synthesized.template.findResources('AWS::Lambda::Function')) as [string, { Properties: { Code: { S3Key: string } } }][];
    const assets = new Set(functions.map(([, f]) => f.Properties.Code.S3Key));
    expect(assets.size).toBe(8);
    const entries = Object.values(LAMBDA_ENTRIES);
    for (const [id, f] of functions) {
      const dir = join(synthesized.outdir, `asset.${f.Properties.Code.S3Key.replace('.zip', '')}`);
      const map = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      const own = entries.filter((e) => map.sources.some((src) => src.endsWith(e)));
      expect(own, id).toHaveLength(1);
    }
    removeOutdir(synthesized);
  });
});
