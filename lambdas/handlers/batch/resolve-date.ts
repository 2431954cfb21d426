/** ResolveDate: validates the run input and fills in the default date (yesterday, UTC). */
import { resolveBatchDate } from '../../core/batch-date';
import type { BatchState } from './batch-state';

export function createResolveDateHandler(deps: { now: () => Date }): (input: unknown) => Promise<BatchState> {
  return async (input) => resolveBatchDate(input, deps.now());
}
