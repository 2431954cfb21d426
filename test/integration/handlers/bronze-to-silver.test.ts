import { describe, expect, it } from 'vitest';
import type { BatchParams, BatchQuery } from '../../../lambdas/core/ports';
import { createBronzeToSilverHandler } from '../../../lambdas/handlers/batch/bronze-to-silver';
import { openDatabase } from '../../../local/sqlite/database';
import { SqliteBatchLake } from '../../../local/sqlite/sqlite-batch-lake';
import { SqliteBatchSqlEngine } from '../../../local/sqlite/sqlite-batch-sql-engine';
import { SqliteEventLake } from '../../../local/sqlite/sqlite-event-lake';
import { ratingEvent } from '../../helpers/msk';

/** SQLite's engine, telling which dates each statement was asked to read besides its own. */
function recordingEngine(db: ReturnType<typeof openDatabase>) {
  const sqlite = new SqliteBatchSqlEngine(db);
  const params: BatchParams[] = [];
  return {
    params,
    run: (query: BatchQuery, date: string, p: BatchParams = {}) => {
      params.push(p);
      return sqlite.run(query, date, p);
    },
  };
}

async function bronzeOn(db: ReturnType<typeof openDatabase>, day: string, offset: number, userId: number): Promise<void> {
  await new SqliteEventLake(db).writeBronze(
    { topic: 'user-events', partition: 0, firstOffset: offset, lastOffset: offset, timestamp: Date.parse(`${day}T10:00:00Z`) },
    [{ offset, event: ratingEvent(`e${offset}`, userId, 10, 4, Date.parse(`${day}T09:00:00Z`)) }],
  );
}

describe('BronzeToSilver', () => {
  it('reads bronze from the first date the lake holds, up to the run date', async () => {
    const db = openDatabase(':memory:');
    await bronzeOn(db, '2026-11-20', 1, 1);
    await bronzeOn(db, '2026-11-23', 2, 2);
    await bronzeOn(db, '2026-11-25', 3, 3);
    const engine = recordingEngine(db);
    const handler = createBronzeToSilverHandler({ engine, lake: new SqliteBatchLake(db) });
    expect(await handler({ date: '2026-11-24' })).toEqual({ ratings: 2, from: '2026-11-20' });
    expect(engine.params).toEqual([{ from: '2026-11-20' }]);
    db.close();
  });

  it('reads nothing, and lists nothing, from a lake without bronze', async () => {
    const db = openDatabase(':memory:');
    const engine = recordingEngine(db);
    expect(await createBronzeToSilverHandler({ engine, lake: new SqliteBatchLake(db) })({ date: '2026-11-24' })).toEqual({ ratings: 0, from: '2026-11-24' });
    expect(engine.params).toEqual([{ from: '2026-11-24' }]);
    db.close();
  });

  it("fails, naming the date to set, when bronze is older than the lake tables' first date", async () => {
    const db = openDatabase(':memory:');
    await bronzeOn(db, '2026-11-20', 1, 1);
    const engine = recordingEngine(db);
    const handler = createBronzeToSilverHandler({ engine, lake: new SqliteBatchLake(db), lakeStart: '2026-11-22' });
    await expect(handler({ date: '2026-11-24' })).rejects.toMatchObject({
      name: 'LakeStartsTooLate',
      message: 'bronze holds events from 2026-11-20, before the lake tables start (2026-11-22): set lakeStartDate to 2026-11-20 or earlier and deploy',
    });
    expect(engine.params).toEqual([]);
    db.close();
  });

  it('merges the bronze since the latest earlier silver onto it, unless asked for a full rebuild', async () => {
    const db = openDatabase(':memory:');
    await bronzeOn(db, '2026-11-20', 1, 1);
    await bronzeOn(db, '2026-11-22', 2, 2);
    await bronzeOn(db, '2026-11-24', 3, 3);
    const engine = recordingEngine(db);
    const handler = createBronzeToSilverHandler({ engine, lake: new SqliteBatchLake(db), lakeStart: '2026-11-22' });
    await expect(handler({ date: '2026-11-21', full: true })).rejects.toMatchObject({ name: 'LakeStartsTooLate' });
    const lake = createBronzeToSilverHandler({ engine, lake: new SqliteBatchLake(db) });
    expect(await lake({ date: '2026-11-21' })).toEqual({ ratings: 1, from: '2026-11-20' });
    // The merge reads no bronze before its base: lakeStart bounds a full rebuild only.
    expect(await handler({ date: '2026-11-23' })).toEqual({ ratings: 2, base: '2026-11-21' });
    expect(await handler({ date: '2026-11-25' })).toEqual({ ratings: 3, base: '2026-11-23' });
    expect(await lake({ date: '2026-11-25', full: true })).toEqual({ ratings: 3, from: '2026-11-20' });
    expect(engine.params).toEqual([{ from: '2026-11-20' }, { base: '2026-11-21' }, { base: '2026-11-23' }, { from: '2026-11-20' }]);
    db.close();
  });
});
