/** ResolveDate: the run's date from its input, yesterday (UTC) by default. */
import { createResolveDateHandler } from '../../handlers/batch/resolve-date';
import { instrumented, observability } from '../observability';
import { BATCH_SERVICE } from '../metric-names';

const tools = observability(BATCH_SERVICE);

export const handler = instrumented(tools, createResolveDateHandler({ now: () => new Date() }));
