/**
 * The batch SQL engine on SQLite: replaces a silver table's partition for a date with the rows of a
 * query's SQLite dialect, in one transaction, so a failed or repeated run leaves one whole copy
 * (every partition is whole: it needs no receipt).
 */
import { availableParallelism } from 'node:os';
import { FEATURE_CATALOG } from '../../lambdas/core/lake/batch-queries';
import { ALL_BRONZE, type BatchParams, type BatchQuery, type BatchSqlEngine } from '../../lambdas/core/ports';
import type { Db } from './database';
import { RESTORED_SILVER_DATE } from './sqlite-feature-store';

export class SqliteBatchSqlEngine implements BatchSqlEngine {
  constructor(private readonly db: Db) {
    // The movie features (by movie) and a full rebuild's window (by pair) sort every rating: SQLite's
    // sorter merges in helper threads when allowed (the movie features at 10M on two cores: 4.3 to
    // 5.0 s against 6.1 s). The connection's other statements sort too little to start one.
    db.pragma(`threads = ${availableParallelism()}`);
  }

  async run(query: BatchQuery, date: string, params: BatchParams = {}): Promise<number> {
    const columns = (this.db.pragma(`table_info(${query.target})`) as { name: string }[])
      .map((c) => c.name)
      .filter((name) => name !== 'dt');
    const insert = this.db.prepare(
      `INSERT INTO ${query.target} (dt, ${columns.join(', ')})
       SELECT :dt, ${columns.map((c) => `q.${c}`).join(', ')} FROM (${query.sqlite}) q`,
    );
    return this.db.transaction(() => {
      this.db.prepare(`DELETE FROM ${query.target} WHERE dt = ?`).run(date);
      if (query.target === 'silver_ratings') {
        // Online ratings restored from the ratings being replaced need not hold the new ones: the
        // next publish restores every pair (see SqliteFeatureStore.reconcile).
        this.db.prepare('DELETE FROM meta WHERE key = ? AND value = ?').run(RESTORED_SILVER_DATE, date);
        // Nor do the date's features: no later date's may start from them.
        this.db.prepare('DELETE FROM silver_feature_catalogs WHERE dt = ?').run(date);
        this.db.prepare('DELETE FROM silver_movie_features WHERE dt = ?').run(date);
      }
      const rows = insert.run({ dt: date, from: params.from ?? ALL_BRONZE, base: params.base ?? null }).changes;
      if (query.target === 'silver_user_features') {
        this.db.prepare(`INSERT OR REPLACE INTO silver_feature_catalogs (dt, genres) SELECT ?, ${FEATURE_CATALOG}`).run(date);
      }
      return rows;
    }).immediate();
  }
}
