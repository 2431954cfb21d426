import { describe, expect, it } from 'vitest';
import { MAX_ID } from '../../../lambdas/core/event-contract';
import { seededRandom } from '../../../lambdas/core/random';
import { SlotTable } from '../../../lambdas/core/slot-table';

describe('SlotTable', () => {
  it('finds every id at its index, as a Map does, and -1 for the ids it does not hold', () => {
    const rnd = seededRandom(5);
    const ids = [...new Set(Array.from({ length: 5_000 }, () => rnd.int(1, 60_000)))];
    const table = new SlotTable(ids);
    const map = new Map(ids.map((id, slot) => [id, slot]));
    for (let id = 1; id <= 60_000; id++) expect(table.get(id)).toBe(map.get(id) ?? -1);
  });

  it('holds ids that are multiples of a power of two (which a table indexed by their low bits would pile up) and the largest id', () => {
    const ids = [...Array.from({ length: 40 }, (_, i) => (i + 1) * 4_096), MAX_ID, 1];
    const table = new SlotTable(ids);
    ids.forEach((id, slot) => expect(table.get(id)).toBe(slot));
    expect(table.has(4_096 * 41)).toBe(false);
  });

  it('answers -1 for ids no movie can have, and for any id of an empty catalog', () => {
    const table = new SlotTable([3, 9]);
    for (const id of [0, -3, 2.5, MAX_ID + 1, Number.NaN]) expect(table.get(id)).toBe(-1);
    expect(new SlotTable([]).get(1)).toBe(-1);
  });
});
