/** SilverFeatures: user and movie features from the date's silver ratings (a merged date's from its base's), in SQL. */
import { SILVER_MOVIE_FEATURES, SILVER_USER_FEATURES } from '../../core/lake/batch-queries';
import { checkDate } from '../../core/batch-date';
import type { BatchSqlEngine } from '../../core/ports';
import type { FeaturesInput } from './batch-state';

export function createSilverFeaturesHandler(deps: {
  engine: BatchSqlEngine;
}): (input: FeaturesInput) => Promise<{ users: number; movies: number }> {
  return async ({ date, silver }) => {
    const day = checkDate(date);
    // Both queries end before the step does, even when one fails: a query left running would write
    // into its partition after the retry of the step has emptied it.
    const params = silver?.base === undefined ? {} : { base: silver.base };
    const [users, movies] = await Promise.allSettled([
      deps.engine.run(SILVER_USER_FEATURES, day, params),
      deps.engine.run(SILVER_MOVIE_FEATURES, day, params),
    ]);
    if (users.status === 'rejected') throw users.reason;
    if (movies.status === 'rejected') throw movies.reason;
    return { users: users.value, movies: movies.value };
  };
}
