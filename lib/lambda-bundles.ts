/**
 * The Lambda entry files and how esbuild bundles them: one ESM file per function, with the AWS SDK
 * inside (the versions tested here, not the runtime's). Syntax is kept to what Node.js 22 runs, so
 * that the bundles also load in the tests here; the functions run on the Node.js 24 runtime. The
 * CDK stack and the bundle test share these settings. Bundling needs esbuild, not Docker.
 */
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { buildSync, type BuildOptions } from 'esbuild';
import { join } from 'node:path';
import type { BatchTask } from '../lambdas/core/lake/daily-batch-workflow';
import type { FunctionName } from '../lambdas/entry/environment';

const PROJECT_ROOT = join(import.meta.dirname, '..');

/** One function per Task of the daily batch, so that each has only its own grants and memory. */
export const BATCH_ENTRIES: Record<BatchTask, string> = {
  ResolveDate: 'lambdas/entry/batch/resolve-date.ts',
  BronzeToSilver: 'lambdas/entry/batch/bronze-to-silver.ts',
  SilverFeatures: 'lambdas/entry/batch/silver-features.ts',
  GoldModel: 'lambdas/entry/batch/gold-model.ts',
  Publish: 'lambdas/entry/batch/publish.ts',
  RecordFailure: 'lambdas/entry/batch/record-failure.ts',
};

export const LAMBDA_ENTRIES: Record<FunctionName, string> = {
  consume: 'lambdas/entry/consume.ts',
  recommend: 'lambdas/entry/recommend.ts',
  ...BATCH_ENTRIES,
};

export const BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: true,
  outExtension: { '.js': '.mjs' },
  // Some CommonJS dependencies call require(): give the ESM bundle one.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
};

/** The function's code: its entry bundled here with esbuild into `index.mjs` (handler `index.handler`). */
export function bundledCode(name: FunctionName): Code {
  return Code.fromAsset(join(PROJECT_ROOT, 'lambdas'), {
    // The bundle's own hash: unrelated source changes do not redeploy a function.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds, and CDK asks for an image only when it fails.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
      // CDK caches bundles by their options: the entry must be among them, or every function gets the first bundle.
      environment: { MOVIEREC_ENTRY: LAMBDA_ENTRIES[name] },
      local: {
        tryBundle(outputDir: string): boolean {
          buildSync({ ...BUNDLE_OPTIONS, entryPoints: { index: join(PROJECT_ROOT, LAMBDA_ENTRIES[name]) }, outdir: outputDir, logLevel: 'error' });
          return true;
        },
      },
    },
  });
}
