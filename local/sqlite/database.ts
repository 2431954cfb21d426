/**
 * Opens the local SQLite database: WAL mode, and the schema brought to the latest version by
 * numbered migrations (tracked in PRAGMA user_version), each in its own transaction.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { TRANSIENT_ERROR } from '../../lambdas/core/transient-error';

export type Db = Database.Database;

/** Append-only: a released migration is never edited, a change is a new entry. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE movies (
    movie_id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    genres TEXT NOT NULL -- JSON array
  );
  CREATE TABLE ratings (
    user_id INTEGER NOT NULL,
    movie_id INTEGER NOT NULL,
    rating REAL NOT NULL,
    event_time INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (user_id, movie_id)
  ) WITHOUT ROWID;
  CREATE TABLE user_features (
    user_id INTEGER PRIMARY KEY,
    rating_count INTEGER NOT NULL,
    rating_sum REAL NOT NULL,
    last_active INTEGER NOT NULL,
    recent TEXT NOT NULL, -- JSON array of {movieId, rating, eventTime}, newest first
    genres TEXT NOT NULL, -- JSON object genre -> {count, sum}
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE movie_features (
    movie_id INTEGER PRIMARY KEY,
    rating_count INTEGER NOT NULL,
    rating_sum REAL NOT NULL,
    bayesian_mean REAL NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE global_stats (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    rating_count INTEGER NOT NULL,
    rating_sum REAL NOT NULL
  );
  INSERT INTO global_stats (id, rating_count, rating_sum) VALUES (1, 0, 0);

  CREATE TABLE lake_objects (
    object_key TEXT PRIMARY KEY,
    area TEXT NOT NULL CHECK (area IN ('events', 'quarantine')),
    dt TEXT NOT NULL,
    hour TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    first_offset INTEGER NOT NULL,
    last_offset INTEGER NOT NULL,
    record_count INTEGER NOT NULL
  );
  CREATE INDEX lake_objects_area_dt ON lake_objects (area, dt);
  CREATE TABLE bronze_events (
    object_key TEXT NOT NULL,
    kafka_offset INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    movie_id INTEGER NOT NULL,
    rating REAL NOT NULL,
    event_time INTEGER NOT NULL,
    PRIMARY KEY (object_key, kafka_offset)
  ) WITHOUT ROWID;
  CREATE TABLE quarantine_records (
    object_key TEXT NOT NULL,
    kafka_offset INTEGER NOT NULL,
    kafka_timestamp INTEGER NOT NULL,
    reason TEXT NOT NULL,
    value TEXT,      -- base64, exactly as received
    record_key TEXT,
    PRIMARY KEY (object_key, kafka_offset)
  ) WITHOUT ROWID;

  -- Silver and gold mirror the lake's Parquet tables: one partition per batch date (dt).
  CREATE TABLE silver_ratings (
    dt TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    movie_id INTEGER NOT NULL,
    rating REAL NOT NULL,
    event_time INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (dt, user_id, movie_id)
  ) WITHOUT ROWID;
  CREATE TABLE silver_user_features (
    dt TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    rating_count INTEGER NOT NULL,
    rating_sum REAL NOT NULL,
    last_active INTEGER NOT NULL,
    recent TEXT NOT NULL,
    genres TEXT NOT NULL,
    PRIMARY KEY (dt, user_id)
  ) WITHOUT ROWID;
  CREATE TABLE silver_movie_features (
    dt TEXT NOT NULL,
    movie_id INTEGER NOT NULL,
    rating_count INTEGER NOT NULL,
    rating_sum REAL NOT NULL,
    bayesian_mean REAL NOT NULL,
    PRIMARY KEY (dt, movie_id)
  ) WITHOUT ROWID;
  CREATE TABLE gold_manifest (
    dt TEXT PRIMARY KEY,
    version TEXT NOT NULL UNIQUE,
    manifest TEXT NOT NULL -- JSON
  );
  CREATE TABLE gold_movies (
    dt TEXT NOT NULL,
    movie_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    genres TEXT NOT NULL, -- JSON array
    rating_count INTEGER NOT NULL,
    PRIMARY KEY (dt, movie_id)
  ) WITHOUT ROWID;
  CREATE TABLE gold_item_neighbours (
    dt TEXT NOT NULL,
    movie_id INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    neighbour_id INTEGER NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (dt, movie_id, rank)
  ) WITHOUT ROWID;
  CREATE TABLE gold_popularity (
    dt TEXT NOT NULL,
    genre TEXT NOT NULL, -- '' for the overall ranking
    rank INTEGER NOT NULL,
    movie_id INTEGER NOT NULL,
    PRIMARY KEY (dt, genre, rank)
  ) WITHOUT ROWID;
  CREATE TABLE model_pointer (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL REFERENCES gold_manifest (version) DEFERRABLE INITIALLY DEFERRED
  );
  CREATE TABLE batch_runs (
    run_id INTEGER PRIMARY KEY,
    dt TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
    error TEXT,
    cause TEXT,
    details TEXT, -- JSON
    recorded_at TEXT NOT NULL
  );

  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE kafka_offsets (
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    PRIMARY KEY (topic, partition)
  ) WITHOUT ROWID;
  `,
  // The model's neighbours as one row per movie (JSON arrays in rank order): loading 10,000
  // movies' lists is 10,000 rows, not two million.
  `
  CREATE TABLE gold_neighbour_lists (
    dt TEXT NOT NULL,
    movie_id INTEGER NOT NULL,
    neighbour_ids TEXT NOT NULL, -- JSON array, best first
    scores TEXT NOT NULL,        -- JSON array, the same order
    PRIMARY KEY (dt, movie_id)
  ) WITHOUT ROWID;
  INSERT INTO gold_neighbour_lists (dt, movie_id, neighbour_ids, scores)
    SELECT dt, movie_id, json_group_array(neighbour_id ORDER BY rank), json_group_array(score ORDER BY rank)
    FROM gold_item_neighbours GROUP BY dt, movie_id;
  DROP TABLE gold_item_neighbours;
  `,
  // A user's latest ratings without reading the others (the primary key appends movie_id).
  `
  CREATE INDEX ratings_latest ON ratings (user_id, event_time DESC);
  `,
  // The console: each batch run's steps with their durations, and quarantine read latest first and by reason.
  `
  ALTER TABLE batch_runs ADD COLUMN steps TEXT; -- JSON array of {state, status, seconds, error?}
  CREATE INDEX quarantine_latest ON quarantine_records (kafka_timestamp DESC);
  CREATE INDEX quarantine_reason ON quarantine_records (reason);
  `,
  // The model's dense EASE weights among its head movies, one row per date: the movie ids as
  // 32-bit integers and the n × n weights as 32-bit floats, little-endian, row by row.
  `
  CREATE TABLE gold_head_weights (
    dt TEXT PRIMARY KEY,
    movie_ids BLOB NOT NULL,
    weights BLOB NOT NULL
  );
  `,
  // A user's silver features are about 2 KB of JSON: in a WITHOUT ROWID table a row over about 1 KB
  // spills into an overflow page of its own, which more than doubled the pages a partition writes.
  // A rowid table keeps each row in its leaf page.
  `
  CREATE TABLE silver_user_features_by_rowid (
    dt TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    rating_count INTEGER NOT NULL,
    rating_sum REAL NOT NULL,
    last_active INTEGER NOT NULL,
    recent TEXT NOT NULL,
    genres TEXT NOT NULL,
    PRIMARY KEY (dt, user_id)
  );
  INSERT INTO silver_user_features_by_rowid SELECT * FROM silver_user_features ORDER BY dt, user_id;
  DROP TABLE silver_user_features;
  ALTER TABLE silver_user_features_by_rowid RENAME TO silver_user_features;
  `,
  // The catalog's genres a date's silver user features were computed with (FEATURE_CATALOG): the
  // next date's features start from them only while the catalog is the same.
  `
  CREATE TABLE silver_feature_catalogs (
    dt TEXT PRIMARY KEY,
    genres TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // A user's latest ratings read from the index alone: each rating's row is no longer looked up in
  // the table, which was a third of a recommendation's profile read.
  `
  DROP INDEX ratings_latest;
  CREATE INDEX ratings_latest ON ratings (user_id, event_time DESC, movie_id, rating, event_id);
  `,
  // Every bronze row repeated its object's key, about 75 characters, as the first column of its
  // primary key: more than half of the row, compared in full on every insert. Rows now name their
  // object by a number that stays the object's when it is written again. Ranking reads its ratings
  // without their event ids, so the index of a user's latest ratings no longer holds them: the
  // ratings page (`getUserProfile`) looks each of its rows up in the table instead.
  `
  CREATE TABLE lake_objects_by_id (
    object_id INTEGER PRIMARY KEY,
    object_key TEXT NOT NULL UNIQUE,
    area TEXT NOT NULL CHECK (area IN ('events', 'quarantine')),
    dt TEXT NOT NULL,
    hour TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    first_offset INTEGER NOT NULL,
    last_offset INTEGER NOT NULL,
    record_count INTEGER NOT NULL
  );
  INSERT INTO lake_objects_by_id (object_key, area, dt, hour, topic, partition, first_offset, last_offset, record_count)
    SELECT object_key, area, dt, hour, topic, partition, first_offset, last_offset, record_count FROM lake_objects ORDER BY object_key;
  CREATE TABLE bronze_events_by_object (
    object_id INTEGER NOT NULL,
    kafka_offset INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    movie_id INTEGER NOT NULL,
    rating REAL NOT NULL,
    event_time INTEGER NOT NULL,
    PRIMARY KEY (object_id, kafka_offset)
  ) WITHOUT ROWID;
  INSERT INTO bronze_events_by_object (object_id, kafka_offset, event_id, user_id, movie_id, rating, event_time)
    SELECT o.object_id, b.kafka_offset, b.event_id, b.user_id, b.movie_id, b.rating, b.event_time
    FROM lake_objects_by_id o CROSS JOIN bronze_events b ON b.object_key = o.object_key
    ORDER BY o.object_id, b.kafka_offset;
  DROP TABLE bronze_events;
  DROP TABLE lake_objects;
  ALTER TABLE lake_objects_by_id RENAME TO lake_objects;
  ALTER TABLE bronze_events_by_object RENAME TO bronze_events;
  CREATE INDEX lake_objects_area_dt ON lake_objects (area, dt);
  DROP INDEX ratings_latest;
  CREATE INDEX ratings_latest ON ratings (user_id, event_time DESC, movie_id, rating);
  `,
];

/**
 * `say` hears of an upgrade of an existing database's schema, which rewrites tables: a minute or so
 * for 10M ratings.
 */
export function openDatabase(file: string, say?: (line: string) => void): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // A consumer batch dirties a few thousand pages (one per user and rating touched), and each
  // checkpoint pays two fsyncs and copies every page the WAL holds: see checkpointPages. A WAL of
  // that size is kept and written over: cut back and grown again, it made checkpoints 1.3 times as long.
  // A long-running writer has a worker copy the pages beside it as well (background-checkpoints.ts).
  const checkpoint = checkpointPages(db.pragma('page_count', { simple: true }) as number);
  db.pragma(`wal_autocheckpoint = ${checkpoint}`);
  db.pragma(`journal_size_limit = ${checkpoint * (WAL_FRAME_HEADER + (db.pragma('page_size', { simple: true }) as number))}`);
  // 64 MB of page cache rather than SQLite's 2 MB: the inner pages of a 10M-rating folder's tables
  // and indexes stay in memory, so a consumer batch of 1,000 random users reads only their leaves.
  db.pragma('cache_size = -65536');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, say);
  return db;
}

/** WAL pages between automatic checkpoints, at the least and at the most (4 KB each). */
export const MIN_CHECKPOINT_PAGES = 10_000;
export const MAX_CHECKPOINT_PAGES = 100_000;
/** Bytes a WAL frame adds to its page. */
const WAL_FRAME_HEADER = 24;

/**
 * WAL pages between automatic checkpoints for a database of `databasePages`: a sixth of it, from
 * 40 MB to 400 MB of WAL. On a large database a checkpoint costs much the same whether it copies
 * 10,000 pages or 100,000 (two fsyncs, and a random user's leaf pages dirtied again between two
 * checkpoints are copied once): consuming into a 10M-rating folder, checkpoints every 100,000
 * pages gave 1.19 times the events a second of every 10,000. A small database keeps a WAL of its
 * own size's order.
 */
export function checkpointPages(databasePages: number): number {
  return Math.min(MAX_CHECKPOINT_PAGES, Math.max(MIN_CHECKPOINT_PAGES, Math.round(databasePages / 6)));
}

/**
 * Opens an existing database to read it beside the process that holds its folder (WAL lets
 * readers in while it writes): no lock, no migration, and every write refused by SQLite.
 */
export function openDatabaseForReading(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const version = schemaVersion(db);
  if (version !== MIGRATIONS.length) {
    db.close();
    throw new Error(
      `the database ${file} has schema version ${version} and this movierec reads version ${MIGRATIONS.length}: ` +
        (version < MIGRATIONS.length ? 'start `npm run local` on it once to upgrade it' : 'upgrade movierec'),
    );
  }
  return db;
}

/**
 * Runs `work` in one IMMEDIATE transaction: everything it writes commits together or not at all.
 * The SQLite adapters' methods finish their work before their promise settles, so `work` never
 * gives the event loop to another writer while the transaction is open; the adapters' own
 * transactions inside it become savepoints. `onRollback` lets caches drop what was rolled back.
 */
export async function atomically<T>(db: Db, work: () => Promise<T>, onRollback: () => void): Promise<T> {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = await work();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    onRollback();
    throw err;
  }
}

/**
 * Runs `work` in an IMMEDIATE transaction of its own or, inside one already open (`atomically`'s),
 * as part of it, where an error rolls the whole back. A savepoint there would first copy each page
 * `work` changes to a statement journal, which spills to a temporary file beyond 64 KB: the 2,500
 * pages (10 MB) of a consumer batch, which cost it a fifth of its events a second.
 */
export function writeTransaction<T>(db: Db, work: () => T): T {
  return db.inTransaction ? work() : db.transaction(work).immediate();
}

/**
 * PRAGMA quick_check: every page and index entry read once (about a second per GB here), so a
 * database damaged by a disk fault is refused at start rather than written to.
 */
export function checkIntegrity(db: Db, file: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check).filter((m) => m !== 'ok');
  } catch (err) {
    problems = [(err as Error).message];
  }
  if (problems.length > 0) {
    throw new Error(
      `the database ${file} is damaged (${problems.join('; ').replace(/\s+/g, ' ')}): restore it from a backup, or move it away and ` +
        'rebuild it (import --from-s3 from an exported lake, or import --movielens again)',
    );
  }
}

/**
 * Rethrows SQLite's busy and locked errors (another connection holds the database, and a retry may
 * succeed) as the TransientError the batch workflow retries, anything else as it is.
 */
export function rethrowBusyAsTransient(err: unknown): never {
  const code = (err as { code?: unknown } | null)?.code;
  const busy = typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
  if (busy) throw Object.assign(new Error(`the database is busy: ${(err as Error).message}`), { name: TRANSIENT_ERROR });
  throw err;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, say?: (line: string) => void): void {
  const from = schemaVersion(db);
  if (from > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${from} is newer than this movierec (${MIGRATIONS.length}); upgrade movierec or use another --data-dir`,
    );
  }
  // A new database (version 0) is made in an instant; only an existing one's upgrade is told.
  const told = from > 0 && from < MIGRATIONS.length && say !== undefined;
  const started = performance.now();
  if (told) say(`Upgrading the database from schema version ${from} to ${MIGRATIONS.length} (on a large database, a minute or more)...`);
  for (let v = from; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  if (told) say(`Upgraded in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}

export function getMeta(db: Db, key: string): string | undefined {
  return db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}

/** True when the database holds neither a catalog entry nor a rating. */
export function isDatabaseEmpty(db: Db): boolean {
  const row = db
    .prepare<[], { n: number }>('SELECT (SELECT COUNT(*) FROM movies) + (SELECT COUNT(*) FROM ratings) AS n')
    .get();
  return row?.n === 0;
}
