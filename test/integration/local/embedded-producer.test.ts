import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedProducer, messageFor, PARTITIONS, TOPIC } from '../../../local/embedded-producer';
import { openDatabase } from '../../../local/sqlite/database';
import { useTempDir } from '../../helpers/temp-dir';

describe('EmbeddedProducer', () => {
  const tempDir = useTempDir();

  it('builds MSK batches: one user always on one partition, values as base64 JSON', () => {
    const db = openDatabase(join(tempDir(), 'movierec.db'));
    const producer = new EmbeddedProducer(db);
    const events = Array.from({ length: 50 }, (_, i) => ({ user_id: i % 7, n: i }));
    const [batch, ...rest] = producer.batches(events.map(messageFor), 1000, 1234);
    expect(rest).toEqual([]);
    const partitionOf = new Map<number, number>();
    let seen = 0;
    for (const [key, records] of Object.entries(batch!.records)) {
      for (const r of records) {
        expect(key).toBe(`${TOPIC}-${r.partition}`);
        expect(r.partition).toBeLessThan(PARTITIONS);
        expect(r.timestamp).toBe(1234);
        const value = JSON.parse(Buffer.from(r.value, 'base64').toString()) as { user_id: number };
        expect(Buffer.from(r.key, 'base64').toString()).toBe(String(value.user_id));
        expect(partitionOf.get(value.user_id) ?? r.partition).toBe(r.partition);
        partitionOf.set(value.user_id, r.partition);
        seen++;
      }
      // Offsets are consecutive within a partition, in message order.
      expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => records[0]!.offset + i));
    }
    expect(seen).toBe(50);
    expect(new Set(partitionOf.values()).size).toBeGreaterThan(1);
    db.close();
  });

  it('splits into batches of the given size', () => {
    const db = openDatabase(join(tempDir(), 'movierec.db'));
    const batches = new EmbeddedProducer(db).batches(Array.from({ length: 25 }, (_, i) => messageFor({ user_id: i })), 10);
    expect(batches.map((b) => Object.values(b.records).flat().length)).toEqual([10, 10, 5]);
    db.close();
  });

  it('never reuses an offset, even after a restart', () => {
    const dir = tempDir();
    const offsets = (db: ReturnType<typeof openDatabase>) =>
      Object.values(new EmbeddedProducer(db).batches([messageFor({ user_id: 1 }), messageFor({ user_id: 1 })])[0]!.records)
        .flat()
        .map((r) => r.offset);
    const first = openDatabase(join(dir, 'movierec.db'));
    expect(offsets(first)).toEqual([0, 1]);
    first.close();
    const second = openDatabase(join(dir, 'movierec.db'));
    expect(offsets(second)).toEqual([2, 3]);
    second.close();
  });
});
