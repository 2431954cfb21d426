/** RecordFailure: the failed step's error into the batch run log. */
import { createRecordFailureHandler } from '../../handlers/batch/record-failure';
import { runLog } from '../stores-from-environment';
import { documentClient } from '../aws-clients';
import { instrumented, observability } from '../observability';
import { BATCH_SERVICE } from '../metric-names';
import { readEnvironment } from '../environment';

const tools = observability(BATCH_SERVICE);
const env = readEnvironment('RecordFailure');

export const handler = instrumented(tools, createRecordFailureHandler({ runs: runLog(documentClient(tools.tracer), env), now: () => new Date() }));
