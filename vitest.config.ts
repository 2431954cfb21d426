import { defineConfig } from 'vitest/config';

/**
 * Suites that take long for what they add to a quick check: fuzzing, the bench and load smoke
 * tests, the emulated AWS rehearsal, the metered day and the fault injection over every step.
 * `npx vitest run --project fast` leaves them out; `npm test` runs both projects.
 */
const SLOW = [
  'test/**/*-fuzz.test.ts',
  'test/e2e/bench.test.ts',
  'test/infra/rehearsal.test.ts',
  'test/integration/cost/**/*.test.ts',
  'test/integration/aws/*-faults.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // s3rver makes the continuation token of a paged listing with DES, which OpenSSL 3 keeps in its legacy provider.
    execArgv: ['--openssl-legacy-provider'],
    projects: [
      { extends: true, test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: SLOW } },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});
