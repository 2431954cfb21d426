import { build } from 'esbuild';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLE_OPTIONS, LAMBDA_ENTRIES, type LambdaName } from '../../lib/lambda-bundles';
import { PROJECT_ROOT } from '../helpers/local-process';
import { useTempDir } from '../helpers/temp-dir';

const ENVIRONMENT = {
  LAKE_BUCKET: 'movierec-lake',
  USERS_TABLE: 'movierec-users',
  MOVIES_TABLE: 'movierec-movies',
  MODELS_TABLE: 'movierec-models',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_TRACE_ENABLED: 'false',
};

describe('Lambda bundles', () => {
  const tempDir = useTempDir();

  it.each(Object.keys(LAMBDA_ENTRIES) as LambdaName[])('bundles the %s entry into one loadable file', async (name) => {
    const outdir = tempDir();
    const result = await build({ ...BUNDLE_OPTIONS, entryPoints: { [name]: join(PROJECT_ROOT, LAMBDA_ENTRIES[name]) }, outdir, metafile: true });
    expect(result.errors).toEqual([]);
    const bundle = join(outdir, `${name}.mjs`);
    // The AWS SDK and the handlers are inside: nothing is left for the runtime to resolve.
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs.some((i) => i.includes('@aws-sdk/client-dynamodb'))).toBe(true);
    expect(inputs.some((i) => i.includes(`lambdas/handlers/${name}.ts`))).toBe(true);

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
      'the environment variable USERS_TABLE is required',
    );
  });
});
