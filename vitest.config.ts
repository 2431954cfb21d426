import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // s3rver makes the continuation token of a paged listing with DES, which OpenSSL 3 keeps in its legacy provider.
    execArgv: ['--openssl-legacy-provider'],
  },
});
