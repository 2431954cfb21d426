import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointPages, MAX_CHECKPOINT_PAGES, MIGRATIONS, MIN_CHECKPOINT_PAGES, openDatabase, schemaVersion, writeTransaction } from '../../../local/sqlite/database';
import { NO_HEAD } from '../../../lambdas/core/item-neighbours';
import { SqliteModelStore } from '../../../local/sqlite/sqlite-model-store';
import { LATEST_RANKING_RATINGS, LATEST_RATINGS } from '../../../local/sqlite/sqlite-feature-store';
import { BRONZE_ROWS, LAKE_OBJECT_ROWS } from '../../helpers/local-stores';
import { demoModel } from '../../helpers/model-store-contract';
import { useTempDir } from '../../helpers/temp-dir';

describe('openDatabase', () => {
  const tempDir = useTempDir();

  it('creates the file and its folder, in WAL mode with a 64 MB page cache, at the latest schema version, without a word of upgrading', () => {
    const file = join(tempDir(), 'nested', 'movierec.db');
    const told: string[] = [];
    const db = openDatabase(file, (line) => told.push(line));
    expect(told).toEqual([]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('cache_size', { simple: true })).toBe(-65536);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['ratings', 'user_features', 'movie_features', 'lake_objects', 'model_pointer']));
    db.close();
  });

  it('checkpoints the WAL every sixth of the database, from 10,000 pages to 100,000', () => {
    expect(checkpointPages(0)).toBe(MIN_CHECKPOINT_PAGES);
    expect(checkpointPages(120_000)).toBe(20_000);
    expect(checkpointPages(6_000_000)).toBe(MAX_CHECKPOINT_PAGES);
    const file = join(tempDir(), 'movierec.db');
    const db = openDatabase(file);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(MIN_CHECKPOINT_PAGES);
    expect(db.pragma('journal_size_limit', { simple: true })).toBe(MIN_CHECKPOINT_PAGES * (4096 + 24));
    // 84,000 pages of 4 KB: reopened, it checkpoints every 14,000.
    db.prepare("INSERT INTO meta (key, value) VALUES ('filler', zeroblob(84000 * 4096 - 200000))").run();
    db.close();
    const reopened = openDatabase(file);
    const pages = reopened.pragma('page_count', { simple: true }) as number;
    expect(pages).toBeGreaterThan(84_000 - 100);
    expect(reopened.pragma('wal_autocheckpoint', { simple: true })).toBe(checkpointPages(pages));
    expect(checkpointPages(pages)).toBeGreaterThan(MIN_CHECKPOINT_PAGES);
    reopened.close();
  });

  it('writes in a transaction of its own, or as part of the one open, with no savepoint of its own', () => {
    const file = join(tempDir(), 'movierec.db');
    const db = openDatabase(file);
    const other = new Database(file, { readonly: true });
    const insert = db.prepare("INSERT INTO movies (movie_id, title, genres) VALUES (?, 'A', '[]')");
    const ids = (conn: Database.Database) => conn.prepare('SELECT movie_id FROM movies ORDER BY movie_id').pluck().all();

    writeTransaction(db, () => insert.run(1));
    expect(ids(other)).toEqual([1]);
    expect(() => writeTransaction(db, () => (insert.run(2), insert.run(1)))).toThrow(/UNIQUE/);
    expect(ids(db)).toEqual([1]);

    db.exec('BEGIN IMMEDIATE');
    writeTransaction(db, () => insert.run(3));
    expect(() => writeTransaction(db, () => (insert.run(4), insert.run(1)))).toThrow(/UNIQUE/);
    // Nothing of the failed write was undone on its own: the open transaction holds it until its rollback.
    expect(ids(db)).toEqual([1, 3, 4]);
    expect(ids(other)).toEqual([1]);
    db.exec('ROLLBACK');
    expect(ids(db)).toEqual([1]);
    other.close();
    db.close();
  });

  it("reads a user's latest ratings for ranking from the ratings_latest index alone, and with event ids through it", () => {
    const db = openDatabase(join(tempDir(), 'movierec.db'));
    const plan = (query: string) => (db.prepare(`EXPLAIN QUERY PLAN ${query}`).all(1, 10) as { detail: string }[]).map((p) => p.detail);
    expect(plan(LATEST_RANKING_RATINGS)).toEqual(['SEARCH ratings USING COVERING INDEX ratings_latest (user_id=?)']);
    expect(plan(LATEST_RATINGS)).toEqual(['SEARCH ratings USING INDEX ratings_latest (user_id=?)']);
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

  it("moves a version 1 database's neighbours to one list per movie, and the model loads the same, with lists alone", async () => {
    const file = join(tempDir(), 'movierec.db');
    const model = demoModel('2026-11-24');
    const v1 = new Database(file);
    v1.exec(MIGRATIONS[0]!);
    v1.pragma('user_version = 1');
    const dt = model.manifest.date;
    v1.prepare('INSERT INTO gold_manifest (dt, version, manifest) VALUES (?, ?, ?)').run(dt, model.manifest.version, JSON.stringify(model.manifest));
    const movie = v1.prepare('INSERT INTO gold_movies (dt, movie_id, title, genres, rating_count) VALUES (?, ?, ?, ?, ?)');
    for (const m of model.movies) movie.run(dt, m.movieId, m.title, JSON.stringify(m.genres), m.ratingCount);
    const neighbour = v1.prepare('INSERT INTO gold_item_neighbours (dt, movie_id, rank, neighbour_id, score) VALUES (?, ?, ?, ?, ?)');
    for (const [id, list] of model.neighbours) list.forEach((n, rank) => neighbour.run(dt, id, rank, n.movieId, n.score));
    const popularity = v1.prepare('INSERT INTO gold_popularity (dt, genre, rank, movie_id) VALUES (?, ?, ?, ?)');
    model.popular.forEach((id, rank) => popularity.run(dt, '', rank, id));
    for (const [genre, list] of model.popularByGenre) list.forEach((id, rank) => popularity.run(dt, genre, rank, id));
    v1.prepare('INSERT INTO model_pointer (id, version) VALUES (1, ?)').run(model.manifest.version);
    v1.close();

    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    const store = new SqliteModelStore(db);
    expect(await store.activeVersion()).toBe(model.manifest.version);
    // Models of those versions had no dense head: what they had loads as it was.
    expect(await store.load(model.manifest.version)).toEqual({ ...model, head: NO_HEAD });
    db.close();
  });

  it("keeps a previous version's silver user features, each row in its own page rather than an overflow page", () => {
    const file = join(tempDir(), 'movierec.db');
    const previous = new Database(file);
    // Version 5: the last with silver user features in a WITHOUT ROWID table.
    for (const migration of MIGRATIONS.slice(0, 5)) previous.exec(migration);
    previous.pragma('user_version = 5');
    const recent = JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ movieId: 1000 + i, rating: 4.5, eventTime: 1_795_000_000_000 + i })));
    const genres = JSON.stringify(Object.fromEntries(Array.from({ length: 18 }, (_, i) => [`Genre ${i}`, { count: i, sum: i * 3.5 }])));
    const insert = previous.prepare('INSERT INTO silver_user_features (dt, user_id, rating_count, rating_sum, last_active, recent, genres) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (let user = 1; user <= 200; user++) insert.run('2026-11-24', user, user, user * 3.5, 1_795_000_000_000, recent, genres);
    const overflowPages = (db: Database.Database) =>
      db.prepare("SELECT COUNT(*) FROM dbstat WHERE name = 'silver_user_features' AND pagetype = 'overflow'").pluck().get() as number;
    expect(overflowPages(previous)).toBeGreaterThanOrEqual(200);
    const before = previous.prepare('SELECT * FROM silver_user_features ORDER BY dt, user_id').all();
    previous.close();

    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT * FROM silver_user_features ORDER BY dt, user_id').all()).toEqual(before);
    expect(overflowPages(db)).toBe(0);
    db.close();
  });

  it("keeps a previous version's lake, its bronze rows naming their object by id, in fewer pages", () => {
    const file = join(tempDir(), 'movierec.db');
    const previous = new Database(file);
    // Version 8: the last with bronze rows keyed by their object's key.
    for (const migration of MIGRATIONS.slice(0, 8)) previous.exec(migration);
    previous.pragma('user_version = 8');
    const object = previous.prepare(
      `INSERT INTO lake_objects (object_key, area, dt, hour, topic, partition, first_offset, last_offset, record_count)
       VALUES (?, ?, '2026-11-24', '13', 'user-events', 0, ?, ?, ?)`,
    );
    const bronze = previous.prepare(
      'INSERT INTO bronze_events (object_key, kafka_offset, event_id, user_id, movie_id, rating, event_time) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (let o = 0; o < 20; o++) {
      const key = `bronze/events/dt=2026-11-24/hour=13/user-events-0-${o * 100}-${o * 100 + 99}.jsonl.gz`;
      object.run(key, 'events', o * 100, o * 100 + 99, 100);
      for (let i = 0; i < 100; i++) bronze.run(key, o * 100 + i, `e-${o}-${i}`, 1 + i, 1 + o, 3.5, 1_795_000_000_000 + i);
    }
    object.run('bronze/quarantine/dt=2026-11-24/hour=13/user-events-0-0-99.jsonl.gz', 'quarantine', 0, 99, 1);
    const objectsBefore = previous.prepare(LAKE_OBJECT_ROWS).all();
    const rowsBefore = previous.prepare('SELECT * FROM bronze_events ORDER BY object_key, kafka_offset').all();
    const pages = (db: Database.Database) => db.prepare("SELECT COUNT(*) FROM dbstat WHERE name = 'bronze_events'").pluck().get() as number;
    const pagesBefore = pages(previous);
    previous.close();

    const told: string[] = [];
    const db = openDatabase(file, (line) => told.push(line));
    expect(told).toEqual([
      `Upgrading the database from schema version 8 to ${MIGRATIONS.length} (on a large database, a minute or more)...`,
      expect.stringMatching(/^Upgraded in \d+\.\d s\.$/),
    ]);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare(LAKE_OBJECT_ROWS).all()).toEqual(objectsBefore);
    expect(db.prepare(BRONZE_ROWS).all()).toEqual(rowsBefore);
    expect(pages(db)).toBeLessThan(pagesBefore / 2);
    db.close();
  });
});
