/**
 * The local composition root: the SQLite adapters behind the very handlers that run in Lambda.
 */
import { join } from 'node:path';
import type { Logger } from '../lambdas/core/ports';
import { createConsumeHandler } from '../lambdas/handlers/consume';
import { createRecommendHandler } from '../lambdas/handlers/recommend';
import { EmbeddedProducer } from './embedded-producer';
import { EventPipeline } from './event-pipeline';
import { openDatabase, type Db } from './sqlite/database';
import { SqliteEventLake } from './sqlite/sqlite-event-lake';
import { SqliteFeatureStore } from './sqlite/sqlite-feature-store';
import { SqliteModelStore } from './sqlite/sqlite-model-store';

export const DATABASE_FILE = 'movierec.db';

export interface LocalSystem {
  db: Db;
  features: SqliteFeatureStore;
  models: SqliteModelStore;
  pipeline: EventPipeline;
  recommend: ReturnType<typeof createRecommendHandler>;
  /** Waits for the batches under way, then closes the database. */
  close(): Promise<void>;
}

export function openLocalSystem(dataDir: string, logger: Logger): LocalSystem {
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  const features = new SqliteFeatureStore(db);
  const models = new SqliteModelStore(db);
  const consume = createConsumeHandler({ lake: new SqliteEventLake(db), features, logger });
  const pipeline = new EventPipeline(consume, new EmbeddedProducer(db));
  return {
    db,
    features,
    models,
    pipeline,
    recommend: createRecommendHandler({ features, models, logger }),
    close: async () => {
      await pipeline.drain();
      db.close();
    },
  };
}
