/**
 * BronzeToSilver: the latest rating per (user, movie) as of the end of the date, in SQL, reading
 * bronze from the first date it holds (so that Athena lists no partition before it).
 */
import { SILVER_RATINGS } from '../../core/batch-queries';
import { checkDate } from '../../core/batch-date';
import type { BatchLake, BatchSqlEngine } from '../../core/ports';
import type { DateInput } from './batch-state';

export function createBronzeToSilverHandler(deps: {
  engine: BatchSqlEngine;
  lake: Pick<BatchLake, 'earliestBronzeDate'>;
  /** Where the lake's tables start (their partition projection): bronze before it is invisible to the SQL. */
  lakeStart?: string;
}): (input: DateInput) => Promise<{ ratings: number }> {
  return async ({ date }) => {
    const day = checkDate(date);
    const from = (await deps.lake.earliestBronzeDate()) ?? day;
    if (deps.lakeStart !== undefined && from < deps.lakeStart) {
      const err = new Error(
        `bronze holds events from ${from}, before the lake tables start (${deps.lakeStart}): set lakeStartDate to ${from} or earlier and deploy`,
      );
      err.name = 'LakeStartsTooLate';
      throw err;
    }
    return { ratings: await deps.engine.run(SILVER_RATINGS, day, from) };
  };
}
