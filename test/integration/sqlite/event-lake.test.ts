import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../local/sqlite/database';
import { SqliteEventLake } from '../../../local/sqlite/sqlite-event-lake';
import { useTempDir } from '../../helpers/temp-dir';

const id = { topic: 'user-events', partition: 1, firstOffset: 10, lastOffset: 12, timestamp: Date.UTC(2026, 10, 24, 13) };
const event = (offset: number) => ({
  offset,
  event: { eventId: `e${offset}`, userId: 1, movieId: offset, rating: 4, eventTime: Date.UTC(2026, 10, 24) },
});

describe('SqliteEventLake', () => {
  const tempDir = useTempDir();
  let db: Db;
  let lake: SqliteEventLake;

  beforeEach(() => {
    db = openDatabase(join(tempDir(), 'movierec.db'));
    lake = new SqliteEventLake(db);
    return () => db.close();
  });

  it('stores a bronze object under its lake key with its partition columns', async () => {
    await lake.writeBronze(id, [event(10), event(12)]);
    expect(db.prepare('SELECT object_key, area, dt, hour, record_count FROM lake_objects').all()).toEqual([
      {
        object_key: 'bronze/events/dt=2026-11-24/hour=13/user-events-1-10-12.jsonl.gz',
        area: 'events',
        dt: '2026-11-24',
        hour: '13',
        record_count: 2,
      },
    ]);
    expect(db.prepare('SELECT kafka_offset, event_id FROM bronze_events ORDER BY kafka_offset').raw().all()).toEqual([
      [10, 'e10'],
      [12, 'e12'],
    ]);
  });

  it('rewrites an object on a retry, leaving exactly one copy', async () => {
    await lake.writeBronze(id, [event(10), event(12)]);
    await lake.writeBronze(id, [event(10), event(12)]);
    expect(db.prepare('SELECT COUNT(*) FROM lake_objects').pluck().get()).toBe(1);
    expect(db.prepare('SELECT COUNT(*) FROM bronze_events').pluck().get()).toBe(2);
  });

  it('stores every record of an object longer than one multi-row insert, each with its own fields', async () => {
    const records = Array.from({ length: 150 }, (_, i) => event(1000 + i));
    const big = { ...id, firstOffset: 1000, lastOffset: 1149 };
    await lake.writeBronze(big, records);
    const [stored] = [...lake.objects()];
    expect(stored).toEqual({ area: 'events', id: big, records });
  });

  it('keeps quarantined records with their reason and the raw value', async () => {
    const record = { offset: 11, timestamp: id.timestamp, reason: 'rating must be a number', value: 'e30=', key: 'MQ==' };
    await lake.writeQuarantine(id, [record]);
    await lake.writeQuarantine(id, [record]);
    expect(db.prepare('SELECT kafka_offset, reason, value, record_key FROM quarantine_records').all()).toEqual([
      { kafka_offset: 11, reason: 'rating must be a number', value: 'e30=', record_key: 'MQ==' },
    ]);
    expect(db.prepare('SELECT object_key FROM lake_objects').pluck().get()).toBe(
      'bronze/quarantine/dt=2026-11-24/hour=13/user-events-1-10-12.jsonl.gz',
    );
  });
});
