/** RecordFailure: keeps the failed step's error in the batch run log, where operators look first. */
import type { BatchRunLog } from '../../core/ports';
import type { BatchState } from './batch-state';

export function createRecordFailureHandler(deps: {
  runs: BatchRunLog;
  now: () => Date;
}): (state: Partial<BatchState>) => Promise<void> {
  return async (state) => {
    const { failure, ...details } = state;
    await deps.runs.record(
      {
        date: typeof state.date === 'string' ? state.date : 'unknown',
        status: 'failed',
        error: failure?.Error ?? 'Unknown',
        cause: failure?.Cause ?? '',
        details,
      },
      deps.now(),
    );
  };
}
