import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: `${import.meta.dirname}/../..` });

/** The boundary messages ESLint gives `code` as if it were the file at `filePath`. */
async function violations(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries (eslint.config.js)', () => {
  it('keeps lambdas/core free of adapters, SDKs, I/O and local code', async () => {
    const core = 'lambdas/core/lake/example.ts';
    expect(await violations("import { S3EventLake } from '../../aws/s3-event-lake';\nexport const a = S3EventLake;\n", core)).toEqual([
      expect.stringContaining('no adapter'),
    ]);
    expect(await violations("import { openDatabase } from '../../../local/sqlite/database';\nexport const a = openDatabase;\n", core)).toHaveLength(1);
    expect(await violations("import { S3Client } from '@aws-sdk/client-s3';\nexport const a = S3Client;\n", 'lambdas/core/example.ts')).toEqual([
      expect.stringContaining('no SDK'),
    ]);
    expect(await violations("import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n", 'lambdas/core/example.ts')).toEqual([
      expect.stringContaining('no I/O'),
    ]);
    expect(await violations("import { StateMachine } from 'aws-local-stepfunctions';\nexport const a = StateMachine;\n", 'lambdas/core/example.ts')).toHaveLength(1);
    // Within the core, and the local runner's types: allowed.
    expect(await violations("import type { StateMachineDefinition } from 'aws-local-stepfunctions';\nimport { RECENT_RATINGS } from '../features';\nexport type A = StateMachineDefinition;\nexport const b = RECENT_RATINGS;\n", core)).toEqual([]);
  });

  it('lets handlers import only the core, other handlers and types', async () => {
    const handler = 'lambdas/handlers/batch/example.ts';
    expect(await violations("import { runLog } from '../../entry/stores-from-environment';\nexport const a = runLog;\n", handler)).toHaveLength(1);
    expect(await violations("import { DynamoFeatureStore } from '../../aws/dynamo-feature-store';\nexport const a = DynamoFeatureStore;\n", handler)).toHaveLength(1);
    expect(await violations("import pMap from 'p-map';\nexport const a = pMap;\n", handler)).toEqual([expect.stringContaining('only the core')]);
    expect(await violations("import { Context } from 'aws-lambda';\nexport const a: Context | undefined = undefined;\n", handler)).toHaveLength(1);
    expect(
      await violations(
        "import type { Context } from 'aws-lambda';\nimport { checkDate } from '../../core/batch-date';\nimport type { DateInput } from './batch-state';\nexport type A = Context | DateInput;\nexport const b = checkDate;\n",
        handler,
      ),
    ).toEqual([]);
  });
});
