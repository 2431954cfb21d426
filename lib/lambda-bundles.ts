/**
 * The Lambda entry files and how esbuild bundles them: one ESM file per function, for the Node.js 22
 * runtime, with the AWS SDK inside (the versions tested here, not the runtime's). The CDK stacks and
 * the bundle test share these settings.
 */
import type { BuildOptions } from 'esbuild';

export const LAMBDA_ENTRIES = {
  consume: 'lambdas/entry/consume.ts',
  recommend: 'lambdas/entry/recommend.ts',
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
