/**
 * The Lambda entry files and how esbuild bundles them: one ESM file per function, for the Node.js 22
 * runtime, with the AWS SDK inside (the versions tested here, not the runtime's). The CDK stacks and
 * the bundle test share these settings.
 */
import type { BuildOptions } from 'esbuild';
import type { BatchTask } from '../lambdas/core/daily-batch-workflow';

/** One function per Task of the daily batch, so that each has only its own grants and memory. */
export const BATCH_ENTRIES: Record<BatchTask, string> = {
  ResolveDate: 'lambdas/entry/batch/resolve-date.ts',
  BronzeToSilver: 'lambdas/entry/batch/bronze-to-silver.ts',
  SilverFeatures: 'lambdas/entry/batch/silver-features.ts',
  GoldModel: 'lambdas/entry/batch/gold-model.ts',
  Publish: 'lambdas/entry/batch/publish.ts',
  RecordFailure: 'lambdas/entry/batch/record-failure.ts',
};

export const LAMBDA_ENTRIES = {
  consume: 'lambdas/entry/consume.ts',
  recommend: 'lambdas/entry/recommend.ts',
  ...BATCH_ENTRIES,
} as const;

export type LambdaName = keyof typeof LAMBDA_ENTRIES;

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
