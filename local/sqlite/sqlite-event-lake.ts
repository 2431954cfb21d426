/**
 * The event lake in SQLite: one `lake_objects` row per bronze or quarantine object, keyed like
 * the S3 object, with its records beside it. Writing an object replaces it whole, so a retried
 * batch leaves exactly one copy.
 */
import { lakeObjectKey, lakePartition, type LakeArea } from '../../lambdas/core/lake-layout';
import type { BronzeRecord, EventLake, LakeObjectId, QuarantineRecord } from '../../lambdas/core/ports';
import type { Db } from './database';

export class SqliteEventLake implements EventLake {
  private readonly putObject;
  private readonly deleteBronze;
  private readonly deleteQuarantine;
  private readonly insertBronze;
  private readonly insertQuarantine;

  constructor(private readonly db: Db) {
    this.putObject = db.prepare(
      `INSERT OR REPLACE INTO lake_objects
         (object_key, area, dt, hour, topic, partition, first_offset, last_offset, record_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteBronze = db.prepare('DELETE FROM bronze_events WHERE object_key = ?');
    this.deleteQuarantine = db.prepare('DELETE FROM quarantine_records WHERE object_key = ?');
    this.insertBronze = db.prepare(
      `INSERT INTO bronze_events (object_key, kafka_offset, event_id, user_id, movie_id, rating, event_time)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertQuarantine = db.prepare(
      `INSERT INTO quarantine_records (object_key, kafka_offset, kafka_timestamp, reason, value, record_key)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
  }

  async writeBronze(id: LakeObjectId, records: readonly BronzeRecord[]): Promise<void> {
    this.db.transaction(() => {
      const key = this.replaceObject('events', id, records.length);
      this.deleteBronze.run(key);
      for (const { offset, event: e } of records) {
        this.insertBronze.run(key, offset, e.eventId, e.userId, e.movieId, e.rating, e.eventTime);
      }
    })();
  }

  async writeQuarantine(id: LakeObjectId, records: readonly QuarantineRecord[]): Promise<void> {
    this.db.transaction(() => {
      const key = this.replaceObject('quarantine', id, records.length);
      this.deleteQuarantine.run(key);
      for (const r of records) this.insertQuarantine.run(key, r.offset, r.timestamp, r.reason, r.value, r.key);
    })();
  }

  private replaceObject(area: LakeArea, id: LakeObjectId, count: number): string {
    const key = lakeObjectKey(area, id);
    const { dt, hour } = lakePartition(id.timestamp);
    this.putObject.run(key, area, dt, hour, id.topic, id.partition, id.firstOffset, id.lastOffset, count);
    return key;
  }
}
