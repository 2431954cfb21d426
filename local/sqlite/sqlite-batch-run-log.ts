/** The batch run log in SQLite: one row per run, succeeded or failed. */
import type { BatchRun, BatchRunLog } from '../../lambdas/core/ports';
import type { BatchStep } from '../batch-runner';
import type { Db } from './database';

export class SqliteBatchRunLog implements BatchRunLog {
  constructor(private readonly db: Db) {}

  async record(run: BatchRun, at: Date): Promise<void> {
    this.db
      .prepare('INSERT INTO batch_runs (dt, status, error, cause, details, recorded_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(run.date, run.status, run.error ?? null, run.cause ?? null, JSON.stringify(run.details ?? {}), at.toISOString());
  }

  /** The id of the latest run recorded, 0 before the first. */
  latestRunId(): number {
    return (this.db.prepare('SELECT MAX(run_id) FROM batch_runs').pluck().get() as number | null) ?? 0;
  }

  /** Keeps a run's steps beside it: the run recorded after `afterRunId`, if the workflow recorded one. */
  attachSteps(afterRunId: number, steps: readonly BatchStep[]): void {
    this.db
      .prepare('UPDATE batch_runs SET steps = ? WHERE run_id = (SELECT MAX(run_id) FROM batch_runs WHERE run_id > ?)')
      .run(JSON.stringify(steps), afterRunId);
  }
}
