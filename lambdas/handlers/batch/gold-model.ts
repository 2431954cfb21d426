/**
 * GoldModel: on a training day (training-schedule.ts), or when the run asks to `train`, measures the
 * model the date's silver ratings train (one trained before the holdout, judged on what came after
 * it) and trains it on all of silver. On the days between, it refreshes the week's trained model
 * instead: its item weights and measure, with the date's catalog and rating counts; when gold holds
 * no trained model since the last training day, it trains. Then it judges the model against the
 * serving model's measure, and writes it to gold with its measure. A model the gate refuses is
 * written too, to be activated by hand, unless it is of the serving model's own date, which it
 * would replace.
 */
import { checkDate } from '../../core/batch-date';
import { splitByTime } from '../../core/holdout';
import { DEFAULT_NEIGHBOUR_PARAMS } from '../../core/item-neighbours';
import { measureModel } from '../../core/model-measure';
import { refreshModel, trainModel, trainedOn, versionDate, type Model, type ModelManifest } from '../../core/model';
import type { BatchLake, ModelStore } from '../../core/ports';
import { judgeModel, type ModelQuality } from '../../core/quality-gate';
import { datesBetween, nextTrainingDay, trainingDayOf } from '../../core/training-schedule';
import type { BatchState, GoldInput } from './batch-state';

export function createGoldModelHandler(deps: {
  lake: BatchLake;
  models: ModelStore;
  /** Days from one training of the item weights to the next: 1 trains every day. */
  trainEveryDays: number;
} & ModelQuality): (input: GoldInput) => Promise<NonNullable<BatchState['gold']>> {
  const params = DEFAULT_NEIGHBOUR_PARAMS;

  /** The latest model gold holds that was trained on its own date, from `from` to before `to`, with today's parameters. */
  async function trainedBetween(from: string, to: string): Promise<ModelManifest | undefined> {
    for (const date of datesBetween(from, to)) {
      const manifest = await deps.models.manifestOfDate(date);
      if (manifest && trainedOn(manifest) === date && JSON.stringify(manifest.params) === JSON.stringify(params)) return manifest;
    }
    return undefined;
  }

  async function train(day: string): Promise<{ model: Model; trainingSeconds: number; measureSeconds: number }> {
    const [ratings, catalog] = await Promise.all([deps.lake.readInteractions(day), deps.lake.readCatalog()]);
    // The measure's own model is trained and gone before the batch's: one model in memory at a time.
    const measureStarted = performance.now();
    const evaluation = measureModel(splitByTime(ratings, deps.holdout), catalog, params);
    const measureSeconds = Math.round(performance.now() - measureStarted) / 1000;
    const started = performance.now();
    const trained = trainModel({ interactions: ratings, catalog, date: day, params });
    const trainingSeconds = Math.round(performance.now() - started) / 1000;
    return { model: evaluation ? { ...trained, manifest: { ...trained.manifest, evaluation } } : trained, trainingSeconds, measureSeconds };
  }

  async function refresh(day: string, base: ModelManifest, users: number): Promise<Model> {
    const [trained, catalog, movies] = await Promise.all([
      deps.models.load(base.version),
      deps.lake.readCatalog(),
      deps.lake.readMovieFeatures(day),
    ]);
    return refreshModel(trained, { catalog, ratingCounts: new Map(movies.map((m) => [m.movieId, m.ratingCount])), users, date: day });
  }

  return async ({ date, train: asked, users }) => {
    const day = checkDate(date);
    const trainingDay = trainingDayOf(day, deps.trainEveryDays);
    const base = asked || day === trainingDay ? undefined : await trainedBetween(trainingDay, day);
    const { model, trainingSeconds, measureSeconds } = base
      ? { model: await refresh(day, base, users), trainingSeconds: 0, measureSeconds: 0 }
      : await train(day);
    const { evaluation } = model.manifest;

    const active = await deps.models.activeVersion();
    const serving = active === undefined ? undefined : { version: active, evaluation: (await deps.models.manifest(active))?.evaluation };
    const gate = judgeModel({ version: model.manifest.version, evaluation }, serving, deps.gate);
    const written = gate.passed || active === undefined || versionDate(active) !== day;
    if (written) await deps.models.write(model);
    return {
      version: model.manifest.version,
      trainedOn: trainedOn(model.manifest),
      nextTraining: nextTrainingDay(day, deps.trainEveryDays),
      trainingSeconds,
      measureSeconds,
      counts: model.manifest.counts,
      ...(evaluation ? { evaluation } : {}),
      gate,
      written,
    };
  };
}
