/**
 * When the daily batch trains its model's item weights, and when it refreshes the last trained
 * ones instead. Training reads every rating twice (the measure's model and the served one) and
 * costs minutes at 10M ratings; what a day's ratings change in the weights is small, while the
 * popularity rankings and the catalog change every day. So the weights are trained every
 * `everyDays` days, and the days between take them from that training with the day's popularity
 * and catalog (model.ts `refreshModel`).
 *
 * Training days are counted from Sunday 1970-01-04, so that with 7 they fall on Sundays. They are a
 * function of the date alone: a re-run of a day, or a full rebuild, trains or refreshes as the
 * first run did.
 */
import { checkDate } from './batch-date';

export const DEFAULT_TRAIN_EVERY_DAYS = 7;
/** Four weeks at most between trainings: how stale the weights may grow. The stack also keeps it within derivedRetentionDays, so that gold still holds the trained model. */
export const MAX_TRAIN_EVERY_DAYS = 28;

const DAY_MS = 24 * 60 * 60 * 1000;
const FIRST_SUNDAY = Date.UTC(1970, 0, 4);

function dayNumber(date: string): number {
  return Math.round((Date.parse(`${checkDate(date)}T00:00:00Z`) - FIRST_SUNDAY) / DAY_MS);
}

function dateOf(day: number): string {
  return new Date(FIRST_SUNDAY + day * DAY_MS).toISOString().slice(0, 10);
}

/** The training day the date's model takes its weights from: the date itself, or the latest one before it. */
export function trainingDayOf(date: string, everyDays: number): string {
  const day = dayNumber(date);
  return dateOf(day - (((day % everyDays) + everyDays) % everyDays));
}

/** The dates from `from` up to, not including, `to`, latest first. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let day = dayNumber(to) - 1; day >= dayNumber(from); day--) out.push(dateOf(day));
  return out;
}

/** The next training day after the date. */
export function nextTrainingDay(date: string, everyDays: number): string {
  return dateOf(dayNumber(trainingDayOf(date, everyDays)) + everyDays);
}

/** MODEL_TRAIN_EVERY_DAYS: a whole number of days from 1 (every day) to 28; absent or empty: 7. */
export function parseTrainEveryDays(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_TRAIN_EVERY_DAYS;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_TRAIN_EVERY_DAYS)) {
    throw new RangeError(`the model is trained every 1 to ${MAX_TRAIN_EVERY_DAYS} days; got ${JSON.stringify(text)}`);
  }
  return n;
}
