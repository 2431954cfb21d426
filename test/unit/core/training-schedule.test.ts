import { describe, expect, it } from 'vitest';
import { datesBetween, nextTrainingDay, parseTrainEveryDays, trainingDayOf } from '../../../lambdas/core/training-schedule';

describe('the training schedule', () => {
  it('trains on Sundays every 7 days: each date takes its weights from the Sunday on or before it', () => {
    // 2026-11-22 is a Sunday.
    expect(trainingDayOf('2026-11-22', 7)).toBe('2026-11-22');
    expect(trainingDayOf('2026-11-23', 7)).toBe('2026-11-22');
    expect(trainingDayOf('2026-11-28', 7)).toBe('2026-11-22');
    expect(trainingDayOf('2026-11-29', 7)).toBe('2026-11-29');
    expect(nextTrainingDay('2026-11-24', 7)).toBe('2026-11-29');
    expect(nextTrainingDay('2026-11-22', 7)).toBe('2026-11-29');
    // Across a year's end and before the counting's first Sunday.
    expect(trainingDayOf('2027-01-02', 7)).toBe('2026-12-27');
    expect(trainingDayOf('1970-01-01', 7)).toBe('1969-12-28');
  });

  it('trains every day with 1, and every n days otherwise', () => {
    expect(trainingDayOf('2026-11-24', 1)).toBe('2026-11-24');
    expect(nextTrainingDay('2026-11-24', 1)).toBe('2026-11-25');
    const days = datesBetween('2026-11-01', '2026-12-01').map((d) => trainingDayOf(d, 3));
    expect(new Set(days).size).toBe(11);
    for (const d of new Set(days)) expect(trainingDayOf(d, 3)).toBe(d);
  });

  it('lists the dates from one up to another, latest first', () => {
    expect(datesBetween('2026-02-27', '2026-03-02')).toEqual(['2026-03-01', '2026-02-28', '2026-02-27']);
    expect(datesBetween('2026-11-24', '2026-11-24')).toEqual([]);
  });

  it('reads MODEL_TRAIN_EVERY_DAYS: 7 when absent, a whole number of days from 1 to 28', () => {
    expect(parseTrainEveryDays(undefined)).toBe(7);
    expect(parseTrainEveryDays('')).toBe(7);
    expect(parseTrainEveryDays('1')).toBe(1);
    expect(parseTrainEveryDays('28')).toBe(28);
    for (const bad of ['0', '29', '1.5', 'weekly', '-7']) expect(() => parseTrainEveryDays(bad)).toThrow(/every 1 to 28 days/);
  });
});
