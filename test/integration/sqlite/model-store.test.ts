import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { trainModel, type Model } from '../../../lambdas/core/model';
import { openDatabase, type Db } from '../../../local/sqlite/database';
import { SqliteModelStore } from '../../../local/sqlite/sqlite-model-store';
import { useTempDir } from '../../helpers/temp-dir';

function model(extraUser: number): Model {
  return trainModel({
    interactions: {
      userIds: Int32Array.from([1, 1, 2, 2, extraUser]),
      movieIds: Int32Array.from([10, 20, 10, 30, 20]),
    },
    catalog: [
      { movieId: 10, title: 'Ten', genres: ['Comedy'] },
      { movieId: 20, title: 'Twenty', genres: ['Drama'] },
      { movieId: 30, title: 'Thirty', genres: [] },
    ],
    label: `2026-11-2${extraUser}`,
    trainedAt: new Date(Date.UTC(2026, 10, 25)),
  });
}

describe('SqliteModelStore', () => {
  const tempDir = useTempDir();
  let db: Db;
  let store: SqliteModelStore;

  beforeEach(() => {
    db = openDatabase(join(tempDir(), 'movierec.db'));
    store = new SqliteModelStore(db);
    return () => db.close();
  });

  it('has no active version before the first publish', async () => {
    expect(await store.activeVersion()).toBeUndefined();
  });

  it('loads exactly the model it published and points at it', async () => {
    const m = model(3);
    await store.publish(m);
    expect(await store.activeVersion()).toBe(m.manifest.version);
    expect(await store.load(m.manifest.version)).toEqual(m);
  });

  it('moves the pointer to the newest publish and keeps two previous versions', async () => {
    const versions: string[] = [];
    for (const u of [3, 4, 5, 6]) {
      const m = model(u);
      await store.publish(m);
      versions.push(m.manifest.version);
    }
    expect(new Set(versions).size).toBe(4);
    expect(await store.activeVersion()).toBe(versions[3]);
    await expect(store.load(versions[0]!)).rejects.toThrow(/does not exist/);
    expect((await store.load(versions[1]!)).manifest.version).toBe(versions[1]);
  });

  it('republishes the same version idempotently', async () => {
    const m = model(3);
    await store.publish(m);
    await store.publish(m);
    expect(await store.load(m.manifest.version)).toEqual(m);
  });
});
