import { describe, expect, it } from 'vitest';
import { lakeObjectKey } from '../../../lambdas/core/lake-layout';

describe('lakeObjectKey', () => {
  const id = { topic: 'user-events', partition: 2, firstOffset: 100, lastOffset: 199, timestamp: Date.UTC(2026, 10, 24, 13, 45) };

  it('follows the bronze layout, partitioned by the batch time', () => {
    expect(lakeObjectKey('events', id)).toBe('bronze/events/dt=2026-11-24/hour=13/user-events-2-100-199.jsonl.gz');
    expect(lakeObjectKey('quarantine', id)).toBe('bronze/quarantine/dt=2026-11-24/hour=13/user-events-2-100-199.jsonl.gz');
  });

  it('is the same key for a retried batch and another for another offset range', () => {
    expect(lakeObjectKey('events', { ...id })).toBe(lakeObjectKey('events', id));
    expect(lakeObjectKey('events', { ...id, lastOffset: 150 })).not.toBe(lakeObjectKey('events', id));
  });
});
