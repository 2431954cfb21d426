import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openDatabase, schemaVersion } from '../../../local/sqlite/database';
import { useTempDir } from '../../helpers/temp-dir';

describe('openDatabase', () => {
  const tempDir = useTempDir();

  it('creates the file and its folder, in WAL mode, at the latest schema version', () => {
    const file = join(tempDir(), 'nested', 'movierec.db');
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['ratings', 'user_features', 'movie_features', 'lake_objects', 'model_pointer']));
    db.close();
  });

  it('reopens an existing database without migrating it again and keeps its data', () => {
    const file = join(tempDir(), 'movierec.db');
    const first = openDatabase(file);
    first.prepare("INSERT INTO movies (movie_id, title, genres) VALUES (1, 'A', '[]')").run();
    first.close();
    const again = openDatabase(file);
    expect(again.prepare('SELECT title FROM movies').pluck().get()).toBe('A');
    again.close();
  });

  it('refuses a database made by a newer version, with a clear message', () => {
    const file = join(tempDir(), 'movierec.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(/newer than this movierec/);
  });
});
