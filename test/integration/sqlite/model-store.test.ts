import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { trainModel, type Model } from '../../../lambdas/core/model';
import { openDatabase, type Db } from '../../../local/sqlite/database';
import { SqliteModelStore } from '../../../local/sqlite/sqlite-model-store';
import { useTempDir } from '../../helpers/temp-dir';

function model(date: string, extraMovie = 20): Model {
  return trainModel({
    interactions: {
      userIds: Int32Array.from([1, 1, 2, 2, 3]),
      movieIds: Int32Array.from([10, 20, 10, 30, extraMovie]),
    },
    catalog: [
      { movieId: 10, title: 'Ten', genres: ['Comedy'] },
      { movieId: 20, title: 'Twenty', genres: ['Drama', 'Comedy'] },
      { movieId: 30, title: 'Thirty', genres: [] },
      { movieId: 40, title: 'Forty', genres: ['Drama'] },
    ],
    date,
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

  it('has no active version before the first activation', async () => {
    await store.write(model('2026-11-20'));
    expect(await store.activeVersion()).toBeUndefined();
  });

  it('loads exactly the model it wrote', async () => {
    const m = model('2026-11-20');
    await store.write(m);
    expect(await store.load(m.manifest.version)).toEqual(m);
    expect(m.popular).toEqual([10, 20, 30]);
    expect(m.popularByGenre.get('Comedy')).toEqual([10, 20]);
  });

  it('moves the pointer only when told, and only to a written version', async () => {
    const a = model('2026-11-20');
    const b = model('2026-11-21', 40);
    await store.write(a);
    await store.write(b);
    await store.activate(a.manifest.version);
    expect(await store.activeVersion()).toBe(a.manifest.version);
    await store.activate(b.manifest.version);
    expect(await store.activeVersion()).toBe(b.manifest.version);
    await expect(store.activate('2026-01-01-000000000000')).rejects.toThrow(/does not exist/);
  });

  it('replaces a date on rewrite, and follows with the pointer when that date is the active one', async () => {
    const first = model('2026-11-20');
    await store.write(first);
    await store.activate(first.manifest.version);
    const second = model('2026-11-20', 40);
    expect(second.manifest.version).not.toBe(first.manifest.version);
    await store.write(second);
    expect(await store.activeVersion()).toBe(second.manifest.version);
    await expect(store.load(first.manifest.version)).rejects.toThrow(/does not exist/);
    // The same content again: the same version, and nothing changes.
    await store.write(second);
    expect(await store.load(second.manifest.version)).toEqual(second);
  });
});
