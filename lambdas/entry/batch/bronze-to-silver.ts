/** BronzeToSilver: silver ratings of the date, by Athena, within the function's time. */
import type { DateInput } from '../../handlers/batch/batch-state';
import { createBronzeToSilverHandler } from '../../handlers/batch/bronze-to-silver';
import { athenaEngine, batchLake } from '../stores-from-environment';
import { athenaClient, s3Client } from '../aws-clients';
import { readEnvironment } from '../environment';
import { BATCH_SERVICE } from '../metric-names';
import { instrumented, observability } from '../observability';
import { queryTime } from './query-time';

const tools = observability(BATCH_SERVICE);
const env = readEnvironment('BronzeToSilver');
const athena = athenaClient(tools.tracer);
const s3 = s3Client(tools.tracer);
const lake = batchLake(s3, env);

export const handler = instrumented(tools, (input: DateInput, context) =>
  createBronzeToSilverHandler({ engine: athenaEngine(athena, s3, env, queryTime(context)), lake, lakeStart: env.LAKE_START_DATE })(input),
);
