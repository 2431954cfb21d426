import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // AssemblyScript sources (kernels) are checked by their compiler, in the kernels test.
  { ignores: ['node_modules/', 'cdk.out/', 'data/', 'coverage/', 'lambdas/core/kernels/*.as.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The core is pure: handlers and adapters depend on it, never the other way.
    files: ['lambdas/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(\\.\\./)+(aws|entry|handlers|local|lib|bench|cost|rehearsal)/', message: 'lambdas/core imports no adapter, handler, entry or local code.' },
            { group: ['@aws-sdk/*', '@aws-lambda-powertools/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'better-sqlite3'], message: 'lambdas/core imports no SDK: an adapter does.' },
            { group: ['fs', 'fs/*', 'node:fs', 'node:fs/*', 'path', 'node:path', 'os', 'node:os', 'node:child_process', 'node:http', 'node:net'], message: 'lambdas/core does no I/O: a port does.' },
            { group: ['aws-local-stepfunctions'], allowTypeImports: true, message: 'lambdas/core takes only the types of the local runner.' },
          ],
        },
      ],
    },
  },
  {
    // Handlers take ports: they import the core, each other and types alone.
    files: ['lambdas/handlers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(\\.\\./)+(aws|entry|local|lib|bench|cost|rehearsal)/', message: 'A handler takes its adapters as ports: it imports only the core and types.' },
            { regex: '^(?!\\.\\.?/|aws-lambda$)', message: 'A handler imports only the core, other handlers and types.' },
            { group: ['aws-lambda'], allowTypeImports: true, message: 'A handler takes only the types of aws-lambda.' },
          ],
        },
      ],
    },
  },
);
