/** SilverFeatures: silver user and movie features of the date, by Athena. */
import { createSilverFeaturesHandler } from '../../handlers/batch/silver-features';
import { athenaEngine } from '../adapters';
import { athenaClient, s3Client } from '../aws-clients';
import { observability } from '../observability';
import { BATCH_SERVICE } from '../metric-names';
import { batchStep } from './batch-step';
import { readEnvironment } from '../environment';

const tools = observability(BATCH_SERVICE);
const env = readEnvironment('SilverFeatures');

export const handler = batchStep(
  tools,
  'SilverFeatures',
  createSilverFeaturesHandler({ engine: athenaEngine(athenaClient(tools.tracer), s3Client(tools.tracer), env) }),
);
