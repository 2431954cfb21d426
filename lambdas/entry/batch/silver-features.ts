/** SilverFeatures: silver user and movie features of the date, by Athena, within the function's time. */
import type { DateInput } from '../../handlers/batch/batch-state';
import { createSilverFeaturesHandler } from '../../handlers/batch/silver-features';
import { athenaEngine } from '../stores-from-environment';
import { athenaClient, s3Client } from '../aws-clients';
import { readEnvironment } from '../environment';
import { BATCH_SERVICE } from '../metric-names';
import { instrumented, observability } from '../observability';
import { queryTime } from './query-time';

const tools = observability(BATCH_SERVICE);
const env = readEnvironment('SilverFeatures');
const athena = athenaClient(tools.tracer);
const s3 = s3Client(tools.tracer);

export const handler = instrumented(tools, (input: DateInput, context) =>
  createSilverFeaturesHandler({ engine: athenaEngine(athena, s3, env, queryTime(context)) })(input),
);
