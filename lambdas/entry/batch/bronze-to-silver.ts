/** BronzeToSilver: silver ratings of the date, by Athena. */
import { createBronzeToSilverHandler } from '../../handlers/batch/bronze-to-silver';
import { athenaEngine } from '../adapters';
import { athenaClient, s3Client } from '../aws-clients';
import { observability } from '../observability';
import { BATCH_SERVICE } from '../metric-names';
import { batchStep } from './batch-step';
import { readEnvironment } from '../environment';

const tools = observability(BATCH_SERVICE);
const env = readEnvironment('BronzeToSilver');

export const handler = batchStep(
  tools,
  'BronzeToSilver',
  createBronzeToSilverHandler({ engine: athenaEngine(athenaClient(tools.tracer), s3Client(tools.tracer), env) }),
);
