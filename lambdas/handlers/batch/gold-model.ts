/**
 * GoldModel: trains the model from the date's silver ratings, writes it to gold, and measures a
 * model trained without each of up to 1,000 users' latest ratings on those ratings.
 */
import { checkDate } from '../../core/batch-date';
import { evaluateOnLatestRatings } from '../../core/holdout-evaluation';
import { trainModel } from '../../core/model';
import type { BatchLake, ModelStore } from '../../core/ports';
import type { BatchState, DateInput } from './batch-state';

export function createGoldModelHandler(deps: {
  lake: BatchLake;
  models: ModelStore;
}): (input: DateInput) => Promise<NonNullable<BatchState['gold']>> {
  return async ({ date }) => {
    const day = checkDate(date);
    const [interactions, catalog] = await Promise.all([deps.lake.readInteractions(day), deps.lake.readCatalog()]);
    const started = performance.now();
    const model = trainModel({ interactions, catalog, date: day });
    const trainingSeconds = Math.round(performance.now() - started) / 1000;
    await deps.models.write(model);
    const evaluation = evaluateOnLatestRatings(interactions, catalog);
    return { version: model.manifest.version, trainingSeconds, counts: model.manifest.counts, ...(evaluation ? { evaluation } : {}) };
  };
}
