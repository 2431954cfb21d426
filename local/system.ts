/**
 * The local composition root: the SQLite adapters behind the very handlers that run in Lambda.
 */
import type { Logger } from '../lambdas/core/ports';
import { DEFAULT_MODEL_QUALITY, type ModelQuality } from '../lambdas/core/quality-gate';
import { DEFAULT_TRAIN_EVERY_DAYS } from '../lambdas/core/training-schedule';
import { createBronzeToSilverHandler } from '../lambdas/handlers/batch/bronze-to-silver';
import { createGoldModelHandler } from '../lambdas/handlers/batch/gold-model';
import { createPublishHandler } from '../lambdas/handlers/batch/publish';
import { createRecordFailureHandler } from '../lambdas/handlers/batch/record-failure';
import { createResolveDateHandler } from '../lambdas/handlers/batch/resolve-date';
import { createSilverFeaturesHandler } from '../lambdas/handlers/batch/silver-features';
import { createConsumeHandler } from '../lambdas/handlers/consume';
import { createRecommendHandler } from '../lambdas/handlers/recommend';
import type { BatchHandlers } from './batch-runner';
import { BulkImport, type BulkImportSizes } from './bulk-import';
import { EmbeddedProducer } from './embedded-producer';
import { EventPipeline, type Consume } from './event-pipeline';
import { DATABASE_FILE, existingDatabase, openDataDir } from './data-dir';
import { atomically, getMeta, isDatabaseEmpty, openDatabase, openDatabaseForReading, rethrowBusyAsTransient, setMeta, type Db } from './sqlite/database';
import { startBackgroundCheckpoints } from './sqlite/background-checkpoints';
import { SqliteBatchLake } from './sqlite/sqlite-batch-lake';
import { SqliteBatchRunLog } from './sqlite/sqlite-batch-run-log';
import { SqliteBatchSqlEngine } from './sqlite/sqlite-batch-sql-engine';
import { SqliteEventLake } from './sqlite/sqlite-event-lake';
import { SqliteFeatureStore } from './sqlite/sqlite-feature-store';
import { SqliteModelStore } from './sqlite/sqlite-model-store';
import { SqliteOperationsReads } from './sqlite/sqlite-operations-reads';
import { checkAtStart, type CheckPolicy, type StartupCheck } from './startup-check';

export { DATABASE_FILE };

export interface LocalSystem {
  features: SqliteFeatureStore;
  models: SqliteModelStore;
  lake: SqliteEventLake;
  producer: EmbeddedProducer;
  pipeline: EventPipeline;
  /** A bulk import into this folder: the consumer's result without its batch-by-batch commits. */
  bulkImport(sizes?: BulkImportSizes): BulkImport;
  recommend: ReturnType<typeof createRecommendHandler>;
  /** The daily batch's Task handlers, keyed by state name: each step runs alone, between consumer batches. */
  batch: BatchHandlers;
  runs: SqliteBatchRunLog;
  reads: SqliteOperationsReads;
  /** The lake as the batch reads it: the catalog among it. */
  batchLake: SqliteBatchLake;
  /** The folder's own records, by key: the demo's state. */
  meta: { get(key: string): string | undefined; set(key: string, value: string): void };
  /** True while the folder holds no event, movie or model. */
  isEmpty(): boolean;
  /** True when opening it made the data folder. */
  created: boolean;
  /** Waits for the batches under way, then closes the database and gives up the folder's lock. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Make the folder and database when missing (serving and imports); otherwise a missing one is an error. */
  create?: boolean;
  /** When PRAGMA quick_check runs before anything else (default `due`): a damaged database is refused, not written to. */
  check?: CheckPolicy;
  /** Told of long work at start: a schema upgrade, a check of a large database. */
  say?: (line: string) => void;
  /** How the daily batch measures and gates each new model (default: the latest 10% held out, a 10% drop allowed). */
  quality?: ModelQuality;
  /** Days from one training of the model's item weights to the next (default 7: Sundays). */
  trainEveryDays?: number;
}

export function openLocalSystem(dataDir: string, logger: Logger, options: OpenOptions = {}): LocalSystem {
  const dir = openDataDir(dataDir, options.create ?? false);
  let db: Db;
  try {
    db = openChecked(dir.database, { policy: options.check ?? 'due', stoppedUncleanly: dir.stoppedUncleanly, ...(options.say ? { say: options.say } : {}) });
  } catch (err) {
    dir.release();
    throw err;
  }
  const checkpoints = startBackgroundCheckpoints(dir.database, logger);
  const features = new SqliteFeatureStore(db);
  // The folder's lock keeps every other process to reading.
  const models = new SqliteModelStore(db, { soleWriter: true });
  const lake = new SqliteEventLake(db);
  const producer = new EmbeddedProducer(db);
  const pipeline = new EventPipeline(localConsumer(db, lake, features, logger), producer);
  return {
    features,
    models,
    lake,
    producer,
    pipeline,
    bulkImport: (sizes) => new BulkImport(db, lake, features, producer, sizes),
    recommend: createRecommendHandler({ features, models, logger, servedBy: 'local' }),
    batch: batchHandlers(db, features, models, {
      alone: (work) => pipeline.exclusive(work),
      ...(options.quality ? { quality: options.quality } : {}),
      ...(options.trainEveryDays ? { trainEveryDays: options.trainEveryDays } : {}),
    }),
    runs: new SqliteBatchRunLog(db),
    reads: new SqliteOperationsReads(db, models),
    batchLake: new SqliteBatchLake(db),
    meta: { get: (key) => getMeta(db, key), set: (key, value) => setMeta(db, key, value) },
    isEmpty: () => isDatabaseEmpty(db),
    created: dir.created,
    close: async () => {
      await pipeline.drain();
      await checkpoints.stop();
      db.close();
      dir.release();
    },
  };
}

/** The consume handler as the local system runs it: a batch's bronze, quarantine, ratings and features commit together, so a crash leaves none of them. */
export function localConsumer(db: Db, lake: SqliteEventLake, features: SqliteFeatureStore, logger: Logger): Consume {
  const consume = createConsumeHandler({ lake, features, logger });
  return (event) => atomically(db, () => consume(event), () => features.forgetCached());
}

/** The queries' view of a data folder: read alone, beside the server that may hold it. */
export interface LocalReader {
  recommend: LocalSystem['recommend'];
  reads: SqliteOperationsReads;
  close(): void;
}

export function openLocalReader(dataDir: string, logger: Logger): LocalReader {
  const db = openDatabaseForReading(existingDatabase(dataDir));
  const models = new SqliteModelStore(db);
  return {
    recommend: createRecommendHandler({ features: new SqliteFeatureStore(db), models, logger, servedBy: 'local' }),
    reads: new SqliteOperationsReads(db, models),
    close: () => db.close(),
  };
}

function openChecked(file: string, check: StartupCheck): Db {
  const db = openDatabase(file, check.say);
  try {
    checkAtStart(db, file, check);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export interface BatchOptions {
  /** Decides the default date (yesterday's) and the runs' times. */
  now?: () => Date;
  /** Runs each step: the server's pipeline runs it between consumer batches. */
  alone?: (work: () => Promise<unknown>) => Promise<unknown>;
  quality?: ModelQuality;
  /** Days from one training of the model's item weights to the next (default 7). */
  trainEveryDays?: number;
}

/** The daily batch's handlers over SQLite. */
export function batchHandlers(db: Db, features: SqliteFeatureStore, models: SqliteModelStore, options: BatchOptions = {}): BatchHandlers {
  const { now = () => new Date(), alone = (work) => work(), quality = DEFAULT_MODEL_QUALITY, trainEveryDays = DEFAULT_TRAIN_EVERY_DAYS } = options;
  const engine = new SqliteBatchSqlEngine(db);
  const lake = new SqliteBatchLake(db);
  const runs = new SqliteBatchRunLog(db);
  const handlers: BatchHandlers = {
    ResolveDate: createResolveDateHandler({ now }),
    BronzeToSilver: createBronzeToSilverHandler({ engine, lake }),
    SilverFeatures: createSilverFeaturesHandler({ engine }),
    GoldModel: createGoldModelHandler({ lake, models, ...quality, trainEveryDays }),
    Publish: createPublishHandler({ lake, features, models, runs, now }),
    RecordFailure: createRecordFailureHandler({ runs, now }),
  };
  // A database another connection holds is worth the workflow's retries, as a throttled AWS call is.
  return Object.fromEntries(
    Object.entries(handlers).map(([task, handler]) => [task, (input: never) => alone(() => handler(input)).catch(rethrowBusyAsTransient)]),
  ) as BatchHandlers;
}
