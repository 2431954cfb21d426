/**
 * Published models in SQLite. A publish writes every row of the new version and moves the pointer
 * in the same transaction, so a reader sees the old model or the new one, never a mix.
 */
import type { Neighbour } from '../../lambdas/core/item-neighbours';
import type { Model, ModelManifest } from '../../lambdas/core/model';
import type { ModelStore } from '../../lambdas/core/ports';
import type { Db } from './database';

/** Versions kept besides the active one, for a quick look back; older ones are deleted. */
const KEEP_PREVIOUS = 2;

interface MovieRow {
  movie_id: number;
  title: string;
  genres: string;
  rating_count: number;
}

export class SqliteModelStore implements ModelStore {
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      pointer: db.prepare<[], { version: string }>('SELECT version FROM model_pointer WHERE id = 1'),
      manifest: db.prepare<[string], { manifest: string }>('SELECT manifest FROM model_versions WHERE version = ?'),
      movies: db.prepare<[string], MovieRow>(
        'SELECT movie_id, title, genres, rating_count FROM model_movies WHERE version = ? ORDER BY movie_id',
      ),
      neighbours: db.prepare<[string], { movie_id: number; neighbours: string }>(
        'SELECT movie_id, neighbours FROM model_neighbours WHERE version = ?',
      ),
      insertVersion: db.prepare('INSERT INTO model_versions (version, manifest) VALUES (?, ?)'),
      insertMovie: db.prepare(
        'INSERT INTO model_movies (version, movie_id, title, genres, rating_count) VALUES (?, ?, ?, ?, ?)',
      ),
      insertNeighbours: db.prepare('INSERT INTO model_neighbours (version, movie_id, neighbours) VALUES (?, ?, ?)'),
      movePointer: db.prepare(
        'INSERT INTO model_pointer (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version',
      ),
      clearPointer: db.prepare('DELETE FROM model_pointer WHERE version = ?'),
      stale: db.prepare<[string, number], { version: string }>(
        'SELECT version FROM model_versions WHERE version != ? ORDER BY rowid DESC LIMIT -1 OFFSET ?',
      ),
      deleteRows: ['model_neighbours', 'model_movies', 'model_versions'].map((table) =>
        db.prepare(`DELETE FROM ${table} WHERE version = ?`),
      ),
    };
  }

  async activeVersion(): Promise<string | undefined> {
    return this.stmt.pointer.get()?.version;
  }

  async load(version: string): Promise<Model> {
    return this.db.transaction((): Model => {
      const manifest = this.stmt.manifest.get(version);
      if (!manifest) throw new Error(`model version ${version} does not exist`);
      const movies = this.stmt.movies.all(version).map((r) => ({
        movieId: r.movie_id,
        title: r.title,
        genres: JSON.parse(r.genres) as string[],
        ratingCount: r.rating_count,
      }));
      const neighbours = new Map<number, Neighbour[]>();
      for (const r of this.stmt.neighbours.all(version)) {
        const pairs = JSON.parse(r.neighbours) as [number, number][];
        neighbours.set(r.movie_id, pairs.map(([movieId, score]) => ({ movieId, score })));
      }
      return { manifest: JSON.parse(manifest.manifest) as ModelManifest, movies, neighbours };
    })();
  }

  async publish(model: Model): Promise<void> {
    const { version } = model.manifest;
    this.db.transaction(() => {
      this.deleteVersion(version);
      this.stmt.insertVersion.run(version, JSON.stringify(model.manifest));
      for (const m of model.movies) {
        this.stmt.insertMovie.run(version, m.movieId, m.title, JSON.stringify(m.genres), m.ratingCount);
      }
      for (const [movieId, list] of model.neighbours) {
        this.stmt.insertNeighbours.run(version, movieId, JSON.stringify(list.map((n) => [n.movieId, n.score])));
      }
      this.stmt.movePointer.run(version);
      for (const s of this.stmt.stale.all(version, KEEP_PREVIOUS)) this.deleteVersion(s.version);
    })();
  }

  private deleteVersion(version: string): void {
    this.stmt.clearPointer.run(version);
    for (const statement of this.stmt.deleteRows) statement.run(version);
  }
}
