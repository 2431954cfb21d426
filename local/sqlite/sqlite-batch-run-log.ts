/** The batch run log in SQLite: one row per run, succeeded or failed. */
import type { BatchRun, BatchRunLog } from '../../lambdas/core/ports';
import type { Db } from './database';

export class SqliteBatchRunLog implements BatchRunLog {
  constructor(private readonly db: Db) {}

  async record(run: BatchRun, at: Date): Promise<void> {
    this.db
      .prepare('INSERT INTO batch_runs (dt, status, error, cause, details, recorded_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(run.date, run.status, run.error ?? null, run.cause ?? null, JSON.stringify(run.details ?? {}), at.toISOString());
  }
}
