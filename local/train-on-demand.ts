/**
 * Trains the model from the current online ratings and publishes it: the local runtime does this
 * after loading data, until the daily batch takes the job over.
 */
import { trainModel, type Model } from '../lambdas/core/model';
import type { ModelStore } from '../lambdas/core/ports';
import type { Db } from './sqlite/database';
import { readCatalog, readInteractions } from './sqlite/sqlite-training-data';

export async function trainAndPublish(db: Db, models: ModelStore, now = new Date()): Promise<Model> {
  const model = trainModel({
    interactions: readInteractions(db),
    catalog: readCatalog(db),
    label: now.toISOString().slice(0, 10),
    trainedAt: now,
  });
  await models.publish(model);
  return model;
}
