/**
 * Publish: brings the online catalog and features in line with the lake (the catalog as the lake
 * holds it; features from silver, correcting any drift, but never undoing what consumers applied
 * after the batch's as-of time), then moves the model pointer, last, and
 * records the run. The pointer never moves to an empty model, nor back to an older date's model
 * (a re-run of a past day refreshes its outputs without turning back the model that serves), nor
 * to a model the quality gate refused.
 */
import { versionDate } from '../../core/model';
import type { BatchLake, BatchRunLog, FeatureStore, ModelStore } from '../../core/ports';
import type { BatchState } from './batch-state';

export function createPublishHandler(deps: {
  lake: BatchLake;
  features: FeatureStore;
  models: ModelStore;
  runs: BatchRunLog;
  now: () => Date;
}): (state: BatchState) => Promise<NonNullable<BatchState['publish']>> {
  return async (state) => {
    if (!state.gold) throw new Error('Publish needs the GoldModel step output ($.gold)');
    const catalog = await deps.lake.readCatalog();
    // Consumers take genres from the online catalog: new and changed movies reach them here.
    await deps.features.upsertMovies(catalog);
    const { replaced, kept, unchanged } = await deps.features.reconcile(
      {
        date: state.date,
        base: state.silver?.base,
        users: () => deps.lake.readUserFeatures(state.date),
        movies: () => deps.lake.readMovieFeatures(state.date),
      },
      state.asOf,
    );
    const active = await deps.models.activeVersion();
    const reason =
      state.gold.counts.ratings === 0
        ? 'the model has no ratings'
        : active !== undefined && versionDate(active) > state.date
          ? `the active model ${active} is of a later date`
          : !state.gold.gate.passed
            ? state.gold.gate.reason
            : '';
    if (!reason) await deps.models.activate(state.gold.version);
    const published = { version: state.gold.version, activated: !reason, reason: reason || 'activated', movies: catalog.length, replaced, kept, unchanged };
    await deps.runs.record(
      { date: state.date, status: 'succeeded', details: { ...state, publish: published } },
      deps.now(),
    );
    return published;
  };
}
