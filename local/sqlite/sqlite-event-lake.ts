/**
 * The event lake in SQLite: one `lake_objects` row per bronze or quarantine object, keyed like
 * the S3 object, with its records beside it (bronze rows name their object by its `object_id`).
 * Writing an object replaces it whole, so a retried batch leaves exactly one copy.
 */
import { lakeObjectKey, lakePartition, type LakeArea } from '../../lambdas/core/lake/lake-layout';
import type { BronzeRecord, EventLake, LakeObjectId, QuarantineRecord } from '../../lambdas/core/ports';
import { writeTransaction, type Db } from './database';

const BRONZE_COLUMNS = 7;
/** Bronze rows per INSERT: one statement step for many rows costs a third less per row than one for each. */
const BRONZE_ROWS_PER_INSERT = 64;
const bronzeInsert = (rows: number) =>
  `INSERT INTO bronze_events (object_id, kafka_offset, event_id, user_id, movie_id, rating, event_time)
   VALUES ${Array<string>(rows).fill(`(${Array<string>(BRONZE_COLUMNS).fill('?').join(', ')})`).join(', ')}`;

export class SqliteEventLake implements EventLake {
  private readonly putObject;
  private readonly deleteBronze;
  private readonly deleteQuarantine;
  private readonly insertBronze;
  private readonly insertBronzeRows;
  private readonly insertQuarantine;

  constructor(private readonly db: Db) {
    // An object written again keeps its id, which its bronze rows name. Its key is made of every
    // other column but the count, so the count is all that can differ.
    this.putObject = db
      .prepare<[string, LakeArea, string, string, string, number, number, number, number], number>(
        `INSERT INTO lake_objects (object_key, area, dt, hour, topic, partition, first_offset, last_offset, record_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (object_key) DO UPDATE SET record_count = excluded.record_count
         RETURNING object_id`,
      )
      .pluck();
    this.deleteBronze = db.prepare('DELETE FROM bronze_events WHERE object_id = ?');
    this.deleteQuarantine = db.prepare('DELETE FROM quarantine_records WHERE object_key = ?');
    this.insertBronze = db.prepare(bronzeInsert(1));
    this.insertBronzeRows = db.prepare(bronzeInsert(BRONZE_ROWS_PER_INSERT));
    this.insertQuarantine = db.prepare(
      `INSERT INTO quarantine_records (object_key, kafka_offset, kafka_timestamp, reason, value, record_key)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
  }

  async writeBronze(id: LakeObjectId, records: readonly BronzeRecord[]): Promise<void> {
    writeTransaction(this.db, () => {
      const { objectId } = this.replaceObject('events', id, records.length);
      this.deleteBronze.run(objectId);
      const params = new Array<string | number>(BRONZE_ROWS_PER_INSERT * BRONZE_COLUMNS);
      let i = 0;
      for (; i + BRONZE_ROWS_PER_INSERT <= records.length; i += BRONZE_ROWS_PER_INSERT) {
        for (let j = 0; j < BRONZE_ROWS_PER_INSERT; j++) {
          const { offset, event: e } = records[i + j]!;
          const at = j * BRONZE_COLUMNS;
          params[at] = objectId;
          params[at + 1] = offset;
          params[at + 2] = e.eventId;
          params[at + 3] = e.userId;
          params[at + 4] = e.movieId;
          params[at + 5] = e.rating;
          params[at + 6] = e.eventTime;
        }
        this.insertBronzeRows.run(params);
      }
      for (const { offset, event: e } of records.slice(i)) {
        this.insertBronze.run(objectId, offset, e.eventId, e.userId, e.movieId, e.rating, e.eventTime);
      }
    });
  }

  async writeQuarantine(id: LakeObjectId, records: readonly QuarantineRecord[]): Promise<void> {
    writeTransaction(this.db, () => {
      const { key } = this.replaceObject('quarantine', id, records.length);
      this.deleteQuarantine.run(key);
      for (const r of records) this.insertQuarantine.run(key, r.offset, r.timestamp, r.reason, r.value, r.key);
    });
  }

  /** How many objects the lake holds, bronze and quarantine. */
  objectCount(): number {
    return this.db.prepare<[], number>('SELECT COUNT(*) FROM lake_objects').pluck().get()!;
  }

  /** Every object of the lake with its records, in key order. */
  *objects(): Generator<
    { area: 'events'; id: LakeObjectId; records: BronzeRecord[] } | { area: 'quarantine'; id: LakeObjectId; records: QuarantineRecord[] }
  > {
    const rows = this.db
      .prepare('SELECT object_id, object_key, area, dt, hour, topic, partition, first_offset, last_offset FROM lake_objects ORDER BY object_key')
      .all() as {
      object_id: number;
      object_key: string;
      area: LakeArea;
      dt: string;
      hour: string;
      topic: string;
      partition: number;
      first_offset: number;
      last_offset: number;
    }[];
    const bronze = this.db.prepare(
      'SELECT kafka_offset, event_id, user_id, movie_id, rating, event_time FROM bronze_events WHERE object_id = ? ORDER BY kafka_offset',
    );
    const quarantine = this.db.prepare(
      'SELECT kafka_offset, kafka_timestamp, reason, value, record_key FROM quarantine_records WHERE object_key = ? ORDER BY kafka_offset',
    );
    for (const r of rows) {
      const id: LakeObjectId = {
        topic: r.topic,
        partition: r.partition,
        firstOffset: r.first_offset,
        lastOffset: r.last_offset,
        timestamp: Date.parse(`${r.dt}T${r.hour}:00:00Z`),
      };
      if (r.area === 'events') {
        const records = (bronze.all(r.object_id) as { kafka_offset: number; event_id: string; user_id: number; movie_id: number; rating: number; event_time: number }[]).map(
          (b) => ({ offset: b.kafka_offset, event: { eventId: b.event_id, userId: b.user_id, movieId: b.movie_id, rating: b.rating, eventTime: b.event_time } }),
        );
        yield { area: 'events', id, records };
      } else {
        const records = (quarantine.all(r.object_key) as { kafka_offset: number; kafka_timestamp: number; reason: string; value: string | null; record_key: string | null }[]).map(
          (q) => ({ offset: q.kafka_offset, timestamp: q.kafka_timestamp, reason: q.reason, value: q.value, key: q.record_key }),
        );
        yield { area: 'quarantine', id, records };
      }
    }
  }

  private replaceObject(area: LakeArea, id: LakeObjectId, count: number): { key: string; objectId: number } {
    const key = lakeObjectKey(area, id);
    const { dt, hour } = lakePartition(id.timestamp);
    const objectId = this.putObject.get(key, area, dt, hour, id.topic, id.partition, id.firstOffset, id.lastOffset, count)!;
    return { key, objectId };
  }
}
