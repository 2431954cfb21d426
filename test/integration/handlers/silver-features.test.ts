import { describe, expect, it } from 'vitest';
import type { BatchQuery, BatchSqlEngine } from '../../../lambdas/core/ports';
import { createSilverFeaturesHandler } from '../../../lambdas/handlers/batch/silver-features';
import { openDatabase } from '../../../local/sqlite/database';
import { SqliteBatchSqlEngine } from '../../../local/sqlite/sqlite-batch-sql-engine';

describe('SilverFeatures', () => {
  it('when one query fails, fails only once the other has ended: none is left writing into a partition a retry empties', async () => {
    const db = openDatabase(':memory:');
    const sqlite = new SqliteBatchSqlEngine(db);
    const ended: string[] = [];
    const engine: BatchSqlEngine = {
      async run(query: BatchQuery, date: string) {
        if (query.target === 'silver_user_features') throw Object.assign(new Error('Rate exceeded'), { name: 'TransientError' });
        await new Promise((resolve) => setTimeout(resolve, 50));
        const rows = await sqlite.run(query, date);
        ended.push(query.target);
        return rows;
      },
    };
    await expect(createSilverFeaturesHandler({ engine })({ date: '2026-11-24' })).rejects.toThrow('Rate exceeded');
    expect(ended).toEqual(['silver_movie_features']);
    db.close();
  });
});
