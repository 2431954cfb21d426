import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../local/sqlite/database';
import { SqliteModelStore } from '../../../local/sqlite/sqlite-model-store';
import { demoModel, describeModelStoreContract } from '../../helpers/model-store-contract';
import { useDatabase } from '../../helpers/local-stores';

const database = useDatabase();

describeModelStoreContract('SqliteModelStore (gold tables in a database file)', async () => new SqliteModelStore(database()));
describeModelStoreContract('SqliteModelStore, the sole writer', async () => new SqliteModelStore(database(), { soleWriter: true }));

describe('SqliteModelStore, the sole writer of its pointer', () => {
  const others: ReturnType<typeof openDatabase>[] = [];
  afterEach(() => {
    for (const db of others.splice(0)) db.close();
  });

  /** A sole writer, a store on another connection to the same file, and two written models. */
  async function twoStores() {
    const db = database();
    const other = openDatabase(db.name);
    others.push(other);
    const sole = new SqliteModelStore(db, { soleWriter: true });
    const elsewhere = new SqliteModelStore(other);
    const [a, b] = [demoModel('2026-11-23'), demoModel('2026-11-24', 40)];
    await sole.write(a);
    await sole.write(b);
    return { db, sole, elsewhere, a: a.manifest.version, b: b.manifest.version };
  }

  it('keeps the pointer it read until it moves it itself', async () => {
    const { sole, elsewhere, a, b } = await twoStores();
    await sole.activate(a);
    expect(await sole.activeVersion()).toBe(a);
    // Only a writer the folder's lock would have kept out moves it unseen.
    await elsewhere.activate(b);
    expect(await sole.activeVersion()).toBe(a);
    await sole.activate(b);
    expect(await sole.activeVersion()).toBe(b);
    expect(await elsewhere.activeVersion()).toBe(b);
    // Rewriting the active date moves the pointer too.
    const rewritten = demoModel('2026-11-24', 30);
    await sole.write(rewritten);
    expect(await sole.activeVersion()).toBe(rewritten.manifest.version);
  });

  it('keeps nothing it read inside a transaction that is rolled back', async () => {
    const { db, sole, elsewhere, a, b } = await twoStores();
    await sole.activate(a);
    const rolledBack = new Error('rolled back');
    await expect(
      (async () => {
        db.exec('BEGIN');
        try {
          await sole.activate(b);
          expect(await sole.activeVersion()).toBe(b);
          throw rolledBack;
        } finally {
          db.exec('ROLLBACK');
        }
      })(),
    ).rejects.toBe(rolledBack);
    expect(await sole.activeVersion()).toBe(a);
    expect(await elsewhere.activeVersion()).toBe(a);
  });
});
