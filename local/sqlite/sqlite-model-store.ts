/**
 * Gold in SQLite: the model of each batch date in the gold_* tables (the lake's layout, but for
 * neighbours, kept as one list per movie, and the head's weights as one binary row, so that a
 * model loads in a fraction of a second), and the version pointer that readers follow. Writing a
 * date replaces it whole, in one transaction.
 */
import { NO_HEAD, type HeadWeights, type Neighbour } from '../../lambdas/core/item-neighbours';
import type { Model, ModelManifest } from '../../lambdas/core/model';
import type { ModelStore } from '../../lambdas/core/ports';
import type { Db } from './database';

const GOLD_TABLES = ['gold_head_weights', 'gold_neighbour_lists', 'gold_popularity', 'gold_movies', 'gold_manifest'] as const;
/** The overall ranking's genre in gold_popularity. */
const OVERALL = '';

export interface SqliteModelStoreOptions {
  /**
   * This store's connection is the only one that moves the pointer (that of the process holding
   * the data folder). The pointer it read is then kept until it moves it itself: a read of it is a
   * read transaction of its own, whose locks and checks cost a request 20 us under load.
   */
  soleWriter?: boolean;
}

export class SqliteModelStore implements ModelStore {
  private readonly stmt;
  /** The pointer as last read outside a transaction, while nothing here has moved it since. */
  private known: { version: string | undefined } | undefined;

  constructor(
    private readonly db: Db,
    private readonly options: SqliteModelStoreOptions = {},
  ) {
    this.stmt = {
      pointer: db.prepare<[], { version: string }>('SELECT version FROM model_pointer WHERE id = 1'),
      manifest: db.prepare<[string], { dt: string; manifest: string }>(
        'SELECT dt, manifest FROM gold_manifest WHERE version = ?',
      ),
      manifestOfDate: db.prepare<[string], { manifest: string }>('SELECT manifest FROM gold_manifest WHERE dt = ?'),
      movies: db.prepare<[string], { movie_id: number; title: string; genres: string; rating_count: number }>(
        'SELECT movie_id, title, genres, rating_count FROM gold_movies WHERE dt = ? ORDER BY movie_id',
      ),
      neighbours: db.prepare<[string], [number, string, string]>(
        'SELECT movie_id, neighbour_ids, scores FROM gold_neighbour_lists WHERE dt = ? ORDER BY movie_id',
      ),
      head: db.prepare<[string], { movie_ids: Buffer; weights: Buffer }>('SELECT movie_ids, weights FROM gold_head_weights WHERE dt = ?'),
      popularity: db.prepare<[string], [string, number]>(
        'SELECT genre, movie_id FROM gold_popularity WHERE dt = ? ORDER BY genre, rank',
      ),
      insertManifest: db.prepare('INSERT INTO gold_manifest (dt, version, manifest) VALUES (?, ?, ?)'),
      insertMovie: db.prepare('INSERT INTO gold_movies (dt, movie_id, title, genres, rating_count) VALUES (?, ?, ?, ?, ?)'),
      insertHead: db.prepare('INSERT INTO gold_head_weights (dt, movie_ids, weights) VALUES (?, ?, ?)'),
      insertNeighbours: db.prepare('INSERT INTO gold_neighbour_lists (dt, movie_id, neighbour_ids, scores) VALUES (?, ?, ?, ?)'),
      insertPopularity: db.prepare('INSERT INTO gold_popularity (dt, genre, rank, movie_id) VALUES (?, ?, ?, ?)'),
      movePointer: db.prepare(
        'INSERT INTO model_pointer (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version',
      ),
      deleteDate: GOLD_TABLES.map((table) => db.prepare(`DELETE FROM ${table} WHERE dt = ?`)),
      versions: db.prepare<[], { dt: string; version: string }>('SELECT dt, version FROM gold_manifest ORDER BY dt'),
      activeDate: db.prepare<[], { dt: string }>(
        'SELECT g.dt FROM model_pointer p JOIN gold_manifest g ON g.version = p.version',
      ),
    };
  }

  async activeVersion(): Promise<string | undefined> {
    if (this.known) return this.known.version;
    const version = this.stmt.pointer.get()?.version;
    // What a transaction under way reads may yet be rolled back.
    if (this.options.soleWriter && !this.db.inTransaction) this.known = { version };
    return version;
  }

  async load(version: string): Promise<Model> {
    return this.db.transaction((): Model => {
      const row = this.stmt.manifest.get(version);
      if (!row) throw new Error(`model version ${version} does not exist`);
      const movies = this.stmt.movies.all(row.dt).map((r) => ({
        movieId: r.movie_id,
        title: r.title,
        genres: JSON.parse(r.genres) as string[],
        ratingCount: r.rating_count,
      }));
      const neighbours = new Map<number, Neighbour[]>();
      for (const [movieId, ids, scores] of this.stmt.neighbours.raw().all(row.dt) as [number, string, string][]) {
        const scoreList = JSON.parse(scores) as number[];
        neighbours.set(
          movieId,
          (JSON.parse(ids) as number[]).map((id, rank) => ({ movieId: id, score: scoreList[rank]! })),
        );
      }
      const manifest = JSON.parse(row.manifest) as ModelManifest;
      const popular: number[] = [];
      const popularByGenre = new Map<string, number[]>();
      for (const [genre, movieId] of this.stmt.popularity.raw().iterate(row.dt) as IterableIterator<[string, number]>) {
        if (genre === OVERALL) popular.push(movieId);
        else {
          let list = popularByGenre.get(genre);
          if (!list) popularByGenre.set(genre, (list = []));
          list.push(movieId);
        }
      }
      // A model written before the head's weights were kept has neighbour lists only.
      const headRow = this.stmt.head.get(row.dt);
      const head: HeadWeights = headRow
        ? { movieIds: new Int32Array(aligned(headRow.movie_ids)), weights: new Float32Array(aligned(headRow.weights)) }
        : NO_HEAD;
      return { manifest, movies, head, neighbours, popular, popularByGenre };
    })();
  }

  async manifest(version: string): Promise<ModelManifest | undefined> {
    const row = this.stmt.manifest.get(version);
    return row ? (JSON.parse(row.manifest) as ModelManifest) : undefined;
  }

  async manifestOfDate(date: string): Promise<ModelManifest | undefined> {
    const row = this.stmt.manifestOfDate.get(date);
    return row ? (JSON.parse(row.manifest) as ModelManifest) : undefined;
  }

  async write(model: Model): Promise<void> {
    const dt = model.manifest.date;
    this.known = undefined;
    this.db.transaction(() => {
      // Re-running the active model's date with new data replaces that model: the pointer follows,
      // in the same transaction, since the rows it pointed at are gone.
      const repoint = this.stmt.activeDate.get()?.dt === dt;
      for (const statement of this.stmt.deleteDate) statement.run(dt);
      this.stmt.insertManifest.run(dt, model.manifest.version, JSON.stringify(model.manifest));
      for (const m of model.movies) this.stmt.insertMovie.run(dt, m.movieId, m.title, JSON.stringify(m.genres), m.ratingCount);
      this.stmt.insertHead.run(dt, bytesOf(model.head.movieIds), bytesOf(model.head.weights));
      for (const [movieId, list] of model.neighbours) {
        this.stmt.insertNeighbours.run(dt, movieId, JSON.stringify(list.map((n) => n.movieId)), JSON.stringify(list.map((n) => n.score)));
      }
      model.popular.forEach((movieId, rank) => this.stmt.insertPopularity.run(dt, OVERALL, rank, movieId));
      for (const [genre, list] of model.popularByGenre) {
        list.forEach((movieId, rank) => this.stmt.insertPopularity.run(dt, genre, rank, movieId));
      }
      if (repoint) this.stmt.movePointer.run(model.manifest.version);
    }).immediate();
  }

  /** Every model written, by date, oldest first. */
  versions(): { date: string; version: string }[] {
    return this.stmt.versions.all().map((r) => ({ date: r.dt, version: r.version }));
  }

  async activate(version: string): Promise<void> {
    if (!this.stmt.manifest.get(version)) throw new Error(`model version ${version} does not exist`);
    this.known = undefined;
    this.stmt.movePointer.run(version);
  }
}

/** A BLOB's bytes in an ArrayBuffer of their own, as a typed array of wider elements needs them aligned. */
function aligned(blob: Buffer): ArrayBuffer {
  return blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength) as ArrayBuffer;
}

function bytesOf(values: Int32Array | Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}
