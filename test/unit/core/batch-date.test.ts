import { describe, expect, it } from 'vitest';
import { checkDate, InvalidBatchInput, resolveBatchDate } from '../../../lambdas/core/batch-date';

const now = new Date(Date.UTC(2026, 10, 25, 2, 30));

describe('resolveBatchDate', () => {
  it('defaults to yesterday (UTC), as of the end of that day', () => {
    for (const input of [{}, { date: null }, null, undefined]) {
      expect(resolveBatchDate(input, now)).toEqual({ date: '2026-11-24', asOf: Date.UTC(2026, 10, 25) - 1, full: false, train: false });
    }
  });

  it('takes a given date, as of the end of that day', () => {
    expect(resolveBatchDate({ date: '2024-02-29' }, now)).toEqual({ date: '2024-02-29', asOf: Date.UTC(2024, 2, 1) - 1, full: false, train: false });
  });

  it('is as of now for a date not over yet', () => {
    expect(resolveBatchDate({ date: '2026-11-25' }, now).asOf).toBe(now.getTime());
  });

  it.each([['2026-02-30'], ['2026-13-01'], ['26-11-24'], ['2026-11-24T00:00:00Z'], [''], ['yesterday']])(
    'rejects %j with InvalidBatchInput',
    (date) => {
      expect(() => resolveBatchDate({ date }, now)).toThrow(InvalidBatchInput);
      expect(() => checkDate(date)).toThrow(/is not a valid YYYY-MM-DD date/);
    },
  );

  it('rejects a date that is not a string', () => {
    expect(() => resolveBatchDate({ date: 20261124 }, now)).toThrow('date must be a string YYYY-MM-DD');
  });

  it('refuses a date after today unless forced: its model would hold back every later one', () => {
    expect(() => resolveBatchDate({ date: '2026-11-26' }, now)).toThrow(/after today \(2026-11-25, UTC\).*"force": true/);
    expect(() => resolveBatchDate({ date: '2099-12-31', force: 'yes' }, now)).toThrow(InvalidBatchInput);
    expect(resolveBatchDate({ date: '2099-12-31', force: true }, now)).toEqual({ date: '2099-12-31', asOf: now.getTime(), full: false, train: false });
  });

  it('takes "full": true to rebuild silver from all of bronze and "train": true to train the model, and refuses anything but a boolean', () => {
    expect(resolveBatchDate({ date: '2026-11-20', full: true }, now).full).toBe(true);
    expect(resolveBatchDate({ full: true }, now)).toMatchObject({ date: '2026-11-24', full: true });
    expect(() => resolveBatchDate({ full: 'yes' }, now)).toThrow('full must be true or false');
    expect(resolveBatchDate({ date: '2026-11-20', train: true }, now)).toMatchObject({ full: false, train: true });
    expect(() => resolveBatchDate({ train: 1 }, now)).toThrow('train must be true or false');
  });
});
