/** GoldModel: trains (or refreshes) and measures the model from silver Parquet and writes gold to S3. The memory-hungry step. */
import { parseModelQuality } from '../../core/quality-gate';
import { parseTrainEveryDays } from '../../core/training-schedule';
import { createGoldModelHandler } from '../../handlers/batch/gold-model';
import { batchLake, modelStore } from '../stores-from-environment';
import { documentClient, s3Client } from '../aws-clients';
import { instrumented, observability } from '../observability';
import { BATCH_SERVICE } from '../metric-names';
import { readEnvironment } from '../environment';

const tools = observability(BATCH_SERVICE);
const env = readEnvironment('GoldModel');
const s3 = s3Client(tools.tracer);

export const handler = instrumented(
  tools,
  createGoldModelHandler({
    lake: batchLake(s3, env),
    models: modelStore(s3, documentClient(tools.tracer), env),
    ...parseModelQuality({ holdout: env.MODEL_HOLDOUT, maxDrop: env.MODEL_GATE_MAX_DROP }),
    trainEveryDays: parseTrainEveryDays(env.MODEL_TRAIN_EVERY_DAYS),
  }),
);
