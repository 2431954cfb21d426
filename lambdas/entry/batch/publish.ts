/** Publish: catalog and features to DynamoDB, then the model pointer; records the run. */
import { createPublishHandler } from '../../handlers/batch/publish';
import { batchLake, featureStore, modelStore, runLog } from '../stores-from-environment';
import { documentClient, s3Client } from '../aws-clients';
import { instrumented, observability } from '../observability';
import { BATCH_SERVICE } from '../metric-names';
import { readEnvironment } from '../environment';

const tools = observability(BATCH_SERVICE);
const env = readEnvironment('Publish');
const s3 = s3Client(tools.tracer);
const doc = documentClient(tools.tracer);

export const handler = instrumented(
  tools,
  createPublishHandler({
    lake: batchLake(s3, env),
    features: featureStore(doc, env),
    models: modelStore(s3, doc, env),
    runs: runLog(doc, env),
    now: () => new Date(),
  }),
);
