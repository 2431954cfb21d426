/**
 * `npm run local -- activate --date YYYY-MM-DD`: serves the model an earlier batch wrote for that
 * date. Publishing never moves the pointer to an earlier date, so this is the way back from a
 * model that should not serve (a batch forced for a future date, or a bad day's data).
 */
import { checkDate } from '../../lambdas/core/batch-date';
import type { LocalSystem } from '../system';

export async function activateModel(system: LocalSystem, date: string): Promise<void> {
  checkDate(date);
  const versions = system.models.versions();
  const chosen = versions.find((v) => v.date === date);
  if (!chosen) {
    const known = versions.map((v) => v.date).join(', ') || 'none yet';
    throw new Error(`no model was written for ${date}; the dates with a model: ${known}`);
  }
  const before = await system.models.activeVersion();
  await system.models.activate(chosen.version);
  process.stdout.write(
    `Serving the model of ${date} (${chosen.version}${before ? `; it was ${before}` : ''}). ` +
      'A later batch publishes over it as usual; a batch for an earlier date does not.\n',
  );
}
