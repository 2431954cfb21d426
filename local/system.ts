/**
 * The local composition root: the SQLite adapters behind the very handlers that run in Lambda.
 */
import { join } from 'node:path';
import type { Logger } from '../lambdas/core/ports';
import { createBronzeToSilverHandler } from '../lambdas/handlers/batch/bronze-to-silver';
import { createGoldModelHandler } from '../lambdas/handlers/batch/gold-model';
import { createPublishHandler } from '../lambdas/handlers/batch/publish';
import { createRecordFailureHandler } from '../lambdas/handlers/batch/record-failure';
import { createResolveDateHandler } from '../lambdas/handlers/batch/resolve-date';
import { createSilverFeaturesHandler } from '../lambdas/handlers/batch/silver-features';
import { createConsumeHandler } from '../lambdas/handlers/consume';
import { createRecommendHandler } from '../lambdas/handlers/recommend';
import type { BatchHandlers } from './batch-runner';
import { EmbeddedProducer } from './embedded-producer';
import { EventPipeline } from './event-pipeline';
import { openDatabase, type Db } from './sqlite/database';
import { SqliteBatchLake } from './sqlite/sqlite-batch-lake';
import { SqliteBatchRunLog } from './sqlite/sqlite-batch-run-log';
import { SqliteBatchSqlEngine } from './sqlite/sqlite-batch-sql-engine';
import { SqliteEventLake } from './sqlite/sqlite-event-lake';
import { SqliteFeatureStore } from './sqlite/sqlite-feature-store';
import { SqliteModelStore } from './sqlite/sqlite-model-store';

export const DATABASE_FILE = 'movierec.db';

export interface LocalSystem {
  db: Db;
  features: SqliteFeatureStore;
  models: SqliteModelStore;
  lake: SqliteEventLake;
  producer: EmbeddedProducer;
  pipeline: EventPipeline;
  recommend: ReturnType<typeof createRecommendHandler>;
  /** The daily batch's Task handlers, keyed by state name. */
  batch: BatchHandlers;
  /** Waits for the batches under way, then closes the database. */
  close(): Promise<void>;
}

export function openLocalSystem(dataDir: string, logger: Logger): LocalSystem {
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  const features = new SqliteFeatureStore(db);
  const models = new SqliteModelStore(db);
  const lake = new SqliteEventLake(db);
  const producer = new EmbeddedProducer(db);
  const pipeline = new EventPipeline(createConsumeHandler({ lake, features, logger }), producer);
  return {
    db,
    features,
    models,
    lake,
    producer,
    pipeline,
    recommend: createRecommendHandler({ features, models, logger }),
    batch: batchHandlers(db, features, models),
    close: async () => {
      await pipeline.drain();
      db.close();
    },
  };
}

/** The daily batch's handlers over SQLite; `now` decides the default date. */
export function batchHandlers(
  db: Db,
  features: SqliteFeatureStore,
  models: SqliteModelStore,
  now: () => Date = () => new Date(),
): BatchHandlers {
  const engine = new SqliteBatchSqlEngine(db);
  const lake = new SqliteBatchLake(db);
  const runs = new SqliteBatchRunLog(db);
  return {
    ResolveDate: createResolveDateHandler({ now }),
    BronzeToSilver: createBronzeToSilverHandler({ engine, lake }),
    SilverFeatures: createSilverFeaturesHandler({ engine }),
    GoldModel: createGoldModelHandler({ lake, models }),
    Publish: createPublishHandler({ lake, features, models, runs, now }),
    RecordFailure: createRecordFailureHandler({ runs, now }),
  };
}
