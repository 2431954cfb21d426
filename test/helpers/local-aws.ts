import { afterAll, beforeAll } from 'vitest';
import { createTables, startDynamo, type LocalDynamo } from './dynalite';
import { startS3, type LocalS3 } from './s3rver';

export const TABLES = { users: 'users', movies: 'movies', models: 'models', runs: 'runs' } as const;

/**
 * s3rver and dynalite for the test file, with every table of the project created; stopped after
 * the file. Read the servers inside tests: they start in beforeAll.
 */
export function useLocalAws(): { s3: () => LocalS3; dynamo: () => LocalDynamo } {
  let s3: LocalS3;
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    [s3, dynamo] = await Promise.all([startS3(), startDynamo()]);
    await createTables(dynamo, TABLES);
  });
  afterAll(async () => {
    await Promise.all([s3.stop(), dynamo.stop()]);
  });
  return { s3: () => s3, dynamo: () => dynamo };
}
