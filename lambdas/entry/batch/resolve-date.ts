/** ResolveDate: the run's date from its input, yesterday (UTC) by default. */
import { createResolveDateHandler } from '../../handlers/batch/resolve-date';
import { observability } from '../observability';
import { BATCH_SERVICE } from '../metric-names';
import { batchStep } from './batch-step';

const tools = observability(BATCH_SERVICE);

export const handler = batchStep(tools, 'ResolveDate', createResolveDateHandler({ now: () => new Date() }));
