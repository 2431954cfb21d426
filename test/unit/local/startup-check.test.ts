import { describe, expect, it } from 'vitest';
import { CHECK_EVERY_DAYS, checkReason } from '../../../local/startup-check';

describe('when the database is checked at start', () => {
  const now = Date.UTC(2026, 11, 5, 12);
  const daysAgo = (days: number) => new Date(now - days * 86_400_000).toISOString();

  it('after a clean stop, only a week after the last passed check', () => {
    expect(checkReason('due', false, daysAgo(0), now)).toBeUndefined();
    expect(checkReason('due', false, daysAgo(CHECK_EVERY_DAYS - 0.01), now)).toBeUndefined();
    expect(checkReason('due', false, daysAgo(CHECK_EVERY_DAYS), now)).toBe('its last check was 7 days ago');
    expect(checkReason('due', false, daysAgo(30.5), now)).toBe('its last check was 30 days ago');
  });

  it('always after an unclean stop, or without a readable record of a check', () => {
    expect(checkReason('due', true, daysAgo(0), now)).toBe('the last process to use it did not stop cleanly');
    expect(checkReason('due', false, undefined, now)).toBe('it has no record of a check');
    expect(checkReason('due', false, 'yesterday', now)).toBe('it has no record of a check');
  });

  it('at every start with --check, never with --no-check', () => {
    expect(checkReason('always', false, daysAgo(0), now)).toBe('asked for with --check');
    expect(checkReason('never', true, undefined, now)).toBeUndefined();
  });
});
