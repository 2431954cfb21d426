/**
 * BronzeToSilver: the latest rating per (user, movie) as of the end of the date, in SQL. A run
 * merges the latest earlier silver with the bronze since (one day's bronze, on a daily schedule);
 * without an earlier silver, or when asked for `full`, it reads all of bronze from the first date it
 * holds (so that Athena lists no partition before it). Both give the same rows.
 */
import { SILVER_RATINGS, SILVER_RATINGS_MERGE } from '../../core/lake/batch-queries';
import { checkDate } from '../../core/batch-date';
import type { BatchLake, BatchSqlEngine } from '../../core/ports';
import type { BatchState, SilverInput } from './batch-state';

export function createBronzeToSilverHandler(deps: {
  engine: BatchSqlEngine;
  lake: Pick<BatchLake, 'earliestBronzeDate' | 'latestSilverDate'>;
  /** Where the lake's tables start (their partition projection): bronze before it is invisible to the SQL. */
  lakeStart?: string;
}): (input: SilverInput) => Promise<NonNullable<BatchState['silver']>> {
  return async ({ date, full }) => {
    const day = checkDate(date);
    const base = full === true ? undefined : await deps.lake.latestSilverDate(day);
    if (base !== undefined) return { ratings: await deps.engine.run(SILVER_RATINGS_MERGE, day, { base }), base };
    const from = (await deps.lake.earliestBronzeDate()) ?? day;
    if (deps.lakeStart !== undefined && from < deps.lakeStart) {
      const err = new Error(
        `bronze holds events from ${from}, before the lake tables start (${deps.lakeStart}): set lakeStartDate to ${from} or earlier and deploy`,
      );
      err.name = 'LakeStartsTooLate';
      throw err;
    }
    return { ratings: await deps.engine.run(SILVER_RATINGS, day, { from }), from };
  };
}
