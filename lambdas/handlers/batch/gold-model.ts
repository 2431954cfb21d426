/**
 * GoldModel: measures the model the date's silver ratings train (one trained before the holdout,
 * judged on what came after it), trains it on all of silver, judges it against the serving model's
 * measure, and writes it to gold with its measure. A model the gate refuses is written too, to be
 * activated by hand, unless it is of the serving model's own date, which it would replace.
 */
import { checkDate } from '../../core/batch-date';
import { splitByTime } from '../../core/holdout';
import { measureModel } from '../../core/model-measure';
import { trainModel, versionDate } from '../../core/model';
import type { BatchLake, ModelStore } from '../../core/ports';
import { judgeModel, type ModelQuality } from '../../core/quality-gate';
import type { BatchState, DateInput } from './batch-state';

export function createGoldModelHandler(deps: {
  lake: BatchLake;
  models: ModelStore;
} & ModelQuality): (input: DateInput) => Promise<NonNullable<BatchState['gold']>> {
  return async ({ date }) => {
    const day = checkDate(date);
    const [ratings, catalog] = await Promise.all([deps.lake.readInteractions(day), deps.lake.readCatalog()]);
    // The measure's own model is trained and gone before the batch's: one model in memory at a time.
    const measureStarted = performance.now();
    const evaluation = measureModel(splitByTime(ratings, deps.holdout), catalog);
    const measureSeconds = Math.round(performance.now() - measureStarted) / 1000;
    const started = performance.now();
    const trained = trainModel({ interactions: ratings, catalog, date: day });
    const trainingSeconds = Math.round(performance.now() - started) / 1000;
    const model = evaluation ? { ...trained, manifest: { ...trained.manifest, evaluation } } : trained;

    const active = await deps.models.activeVersion();
    const serving = active === undefined ? undefined : { version: active, evaluation: (await deps.models.manifest(active))?.evaluation };
    const gate = judgeModel({ version: model.manifest.version, evaluation }, serving, deps.gate);
    const written = gate.passed || active === undefined || versionDate(active) !== day;
    if (written) await deps.models.write(model);
    return {
      version: model.manifest.version,
      trainingSeconds,
      measureSeconds,
      counts: model.manifest.counts,
      ...(evaluation ? { evaluation } : {}),
      gate,
      written,
    };
  };
}
