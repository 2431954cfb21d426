/**
 * The batch date: given as `YYYY-MM-DD`, or yesterday (UTC) when the input names none. A date
 * after today is refused unless the input says `"force": true`: its model would be published, and
 * publishing never moves back to an earlier date, so every later day's model would wait behind it.
 * `"full": true` rebuilds silver from all of bronze instead of from the latest earlier silver;
 * `"train": true` trains the model's item weights on a day the schedule would refresh them.
 */

export interface BatchDate {
  date: string;
  /**
   * What the run knows of, epoch ms: the end of the date (UTC), or the run's start for a date not
   * over yet. Online features changed after it hold newer data than the run and are kept.
   */
  asOf: number;
  /** Whether silver is rebuilt from every bronze partition rather than merged onto an earlier date's. */
  full: boolean;
  /** Whether the model's item weights are trained whatever the training schedule says. */
  train: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A bad batch input: not retryable, the run fails with this message. */
export class InvalidBatchInput extends Error {
  override name = 'InvalidBatchInput';
}

export function resolveBatchDate(input: unknown, now: Date): BatchDate {
  const fields = typeof input === 'object' && input !== null ? (input as { date?: unknown; full?: unknown; train?: unknown }) : {};
  const full = fields.full ?? false;
  if (typeof full !== 'boolean') throw new InvalidBatchInput('full must be true or false');
  const train = fields.train ?? false;
  if (typeof train !== 'boolean') throw new InvalidBatchInput('train must be true or false');
  const given = fields.date;
  if (given === undefined || given === null) {
    const yesterday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1));
    return batchDate(yesterday.toISOString().slice(0, 10), now, { full, train });
  }
  if (typeof given !== 'string') throw new InvalidBatchInput('date must be a string YYYY-MM-DD');
  const today = now.toISOString().slice(0, 10);
  if (checkDate(given) > today && (input as { force?: unknown }).force !== true) {
    throw new InvalidBatchInput(
      `date ${given} is after today (${today}, UTC): its model would keep every later day's from serving; ` +
        'to run it anyway, add "force": true to the input (locally: --force)',
    );
  }
  return batchDate(given, now, { full, train });
}

function batchDate(date: string, now: Date, flags: Pick<BatchDate, 'full' | 'train'>): BatchDate {
  const start = Date.parse(`${checkDate(date)}T00:00:00Z`);
  return { date, asOf: Math.min(start + 24 * 60 * 60 * 1000 - 1, now.getTime()), ...flags };
}

/** Returns the date when it is a real calendar date written YYYY-MM-DD; throws InvalidBatchInput otherwise. */
export function checkDate(date: string): string {
  const start = DATE.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN;
  if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== date) {
    throw new InvalidBatchInput(`date ${JSON.stringify(date).slice(0, 40)} is not a valid YYYY-MM-DD date`);
  }
  return date;
}
