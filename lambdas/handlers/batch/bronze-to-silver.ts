/** BronzeToSilver: the latest rating per (user, movie) as of the end of the date, in SQL. */
import { SILVER_RATINGS } from '../../core/batch-queries';
import { checkDate } from '../../core/batch-date';
import type { BatchSqlEngine } from '../../core/ports';
import type { DateInput } from './batch-state';

export function createBronzeToSilverHandler(deps: { engine: BatchSqlEngine }): (input: DateInput) => Promise<{ ratings: number }> {
  return async ({ date }) => ({ ratings: await deps.engine.run(SILVER_RATINGS, checkDate(date)) });
}
