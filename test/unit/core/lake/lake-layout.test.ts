import { describe, expect, it } from 'vitest';
import { lakeObjectKey, parseLakeObjectKey } from '../../../../lambdas/core/lake/lake-layout';

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

describe('parseLakeObjectKey', () => {
  it('reads back the area and id of a key, whatever the prefix', () => {
    const id = { topic: 'user-events', partition: 2, firstOffset: 100, lastOffset: 199, timestamp: Date.UTC(2026, 10, 24, 13) };
    for (const area of ['events', 'quarantine'] as const) {
      expect(parseLakeObjectKey(`lake/${lakeObjectKey(area, id)}`)).toEqual({ area, id });
    }
    const later = { ...id, timestamp: Date.UTC(2026, 10, 24, 13, 59) };
    expect(lakeObjectKey('events', parseLakeObjectKey(lakeObjectKey('events', later))!.id)).toBe(lakeObjectKey('events', later));
  });

  it('ignores keys outside the layout', () => {
    expect(parseLakeObjectKey('gold/model/dt=2026-11-24/manifest.json')).toBeUndefined();
    expect(parseLakeObjectKey('bronze/events/dt=2026-11-24/hour=13/readme.txt')).toBeUndefined();
  });
});
