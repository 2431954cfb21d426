/**
 * Bulk import: many Kafka batches of events at once (a MovieLens file, an S3 lake, the bench's
 * workload), leaving the state the consumer leaves when it consumes the same batches one by one:
 * the same bronze and quarantine objects under the same keys, the same ratings and features. No
 * producer waits on an acknowledgement, so the import is free to group the work as it likes.
 *
 * It works in two passes. The first validates each batch's records as the consumer does and writes
 * its lake objects, many batches to a commit, with no JSON or base64 round trip for an event that
 * is plainly one. The second reads the imported events back sorted by user and movie and applies
 * them a group of users at a time, with the consumer's own rule (`applyRatings`): a pair's events
 * keep their arrival order, so each pair ends on the rating, and each event on the outcome, that
 * consuming them batch by batch gives (what a user's features sum and keep does not depend on the
 * order of their movies). Reading a group's users' ratings is one range read each, and their
 * writes land in key order, where the consumer's land on random pages. What the groups add to each
 * movie is summed and written once, at the end: each group rates most of the catalog.
 *
 * Interrupted between `add` calls, `finish` applies what was added. A crash before `finish` ends
 * leaves bronze ahead of the online features (movies' the furthest behind); the next daily batch
 * restores them (Publish), as it does after a torn consumer batch, and importing the same events
 * again counts them as duplicates.
 */
import { availableParallelism } from 'node:os';
import { lakeObjectIdOf, lakeObjectKey } from '../lambdas/core/lake/lake-layout';
import {
  MAX_EVENT_ID_LENGTH,
  parseRecordValue,
  validateEvent,
  type ParseResult,
  type RatingEvent,
  type RecordOrigin,
} from '../lambdas/core/event-contract';
import { applyRatings, DEFAULT_GLOBAL_MEAN, type FeatureChanges, type MovieDelta } from '../lambdas/core/features';
import type { BronzeRecord, QuarantineRecord } from '../lambdas/core/ports';
import type { ConsumeCounts } from '../lambdas/handlers/consume';
import { BATCH_SIZE, keyFor, type EmbeddedProducer } from './embedded-producer';
import type { RecordPosition } from './msk-records';
import { atomically, type Db } from './sqlite/database';
import type { SqliteEventLake } from './sqlite/sqlite-event-lake';
import { KEEP_LATEST_RATING, type SqliteFeatureStore } from './sqlite/sqlite-feature-store';

/** An event as a producer sends it, before it is encoded onto the topic. */
export type EventObject = object;

/** One Kafka record to import: where it lies, and what it carries. */
export type ImportRecord = RecordPosition &
  (
    | { event: EventObject; key: string | null }
    /** A record as a topic carried it: key and value base64, '' for none (a quarantined record kept as received). */
    | { base64Key: string; base64Value: string }
  );

/** How the second pass cuts its work. */
export interface BulkImportSizes {
  /** Events applied per group of users: a commit, and the memory of one group's snapshot. */
  groupEvents: number;
  /** Sorted events read back per query. */
  readPage: number;
}

const SIZES: BulkImportSizes = { groupEvents: 250_000, readPage: 50_000 };
/** Helper threads of SQLite's sorter: one per core beside the import's own (on 2 cores, 25M events sort in 0.7× the time). */
const SORT_THREADS = Math.max(0, availableParallelism() - 1);

type SortedRow = [rowid: number, userId: number, movieId: number, rating: number, eventTime: number];

export class BulkImport {
  private readonly counts: ConsumeCounts = { received: 0, applied: 0, duplicate: 0, superseded: 0, quarantined: 0 };
  private batchTime = 0;
  private objects = 0;
  private imported = 0;
  private readonly addObject;

  constructor(
    private readonly db: Db,
    private readonly lake: SqliteEventLake,
    private readonly features: SqliteFeatureStore,
    private readonly producer: EmbeddedProducer,
    private readonly sizes = SIZES,
  ) {
    // The objects this import wrote, in the order the consumer would have met them.
    db.exec('CREATE TEMP TABLE IF NOT EXISTS import_objects (object_key TEXT PRIMARY KEY, seq INTEGER NOT NULL)');
    db.exec('DELETE FROM temp.import_objects');
    this.addObject = db.prepare('INSERT OR REPLACE INTO temp.import_objects (object_key, seq) VALUES (?, ?)');
  }

  /**
   * Event objects as the embedded producer puts them on the topic, in MSK batches of BATCH_SIZE
   * with Kafka time `now`, written in one commit.
   */
  async addEvents(events: readonly EventObject[], now = Date.now()): Promise<void> {
    const chunks: EventObject[][] = [];
    for (let start = 0; start < events.length; start += BATCH_SIZE) chunks.push(events.slice(start, start + BATCH_SIZE));
    // Offsets are reserved in the same commit as the objects that use them.
    await atomically(
      this.db,
      async () => {
        const batches = this.producer.place(chunks, keyFor, encodedValue).map((placed) =>
          placed.flatMap(({ partition, firstOffset, items }) =>
            items.map((event, i): ImportRecord => ({ topic: this.producer.topic, partition, offset: firstOffset + i, timestamp: now, event, key: keyFor(event) })),
          ),
        );
        for (const batch of batches) await this.writeBatch(batch);
      },
      () => this.features.forgetCached(),
    );
  }

  /** Kafka batches, each the records of one MSK event, written in one commit. */
  async addBatches(batches: readonly (readonly ImportRecord[])[]): Promise<void> {
    await atomically(
      this.db,
      async () => {
        for (const batch of batches) await this.writeBatch(batch);
      },
      () => this.features.forgetCached(),
    );
  }

  /** Applies every event added to the online ratings and features; returns the consumer's counts. */
  async finish(onApplied: (done: number, total: number) => void = () => undefined): Promise<ConsumeCounts> {
    this.db.exec('DROP TABLE IF EXISTS temp.import_sorted');
    // The sort of every event is the import's longest statement: SQLite's sorter may spread it over the spare cores.
    const threads = this.db.pragma('threads', { simple: true }) as number;
    this.db.pragma(`threads = ${SORT_THREADS}`);
    try {
      // In key order, and each pair's events in the order the consumer would apply them: by batch, then by offset.
      this.db.exec(`CREATE TEMP TABLE import_sorted AS
        SELECT b.user_id, b.movie_id, b.rating, b.event_time, b.event_id
        FROM temp.import_objects i CROSS JOIN lake_objects o ON o.object_key = i.object_key CROSS JOIN bronze_events b ON b.object_id = o.object_id
        ORDER BY b.user_id, b.movie_id, i.seq, b.kafka_offset`);
    } finally {
      this.db.pragma(`threads = ${threads}`);
    }
    // A page is one JSON text: better-sqlite3 makes each row of a result a JavaScript array, which
    // cost more than parsing the same rows out of one string (25M rows: 25.6 s against 17 to 22 s).
    const page = this.db
      .prepare<[number, number], string>(
        `SELECT json_group_array(json_array(rowid, user_id, movie_id, rating, event_time)) FROM (
           SELECT rowid, user_id, movie_id, rating, event_time FROM temp.import_sorted WHERE rowid > ? ORDER BY rowid LIMIT ?)`,
      )
      .pluck();
    const eventIds = this.db
      .prepare<[number, number], string>(
        'SELECT json_group_array(event_id) FROM (SELECT event_id FROM temp.import_sorted WHERE rowid BETWEEN ? AND ? ORDER BY rowid)',
      )
      .pluck();
    // The ratings a group ends on, by the store's own rule, written in key order: the table's.
    const upsertRatings = this.db.prepare(
      `INSERT INTO ratings (user_id, movie_id, rating, event_time, event_id)
       SELECT user_id, movie_id, rating, event_time, event_id FROM temp.import_sorted WHERE rowid BETWEEN ? AND ?
       ORDER BY rowid ${KEEP_LATEST_RATING}`,
    );
    // What the groups add to each movie, written once after the last group.
    const movies = new Map<number, MovieDelta>();
    try {
      let group: RatingEvent[] = [];
      let first = 1;
      let last = 0;
      let priorMean = DEFAULT_GLOBAL_MEAN;
      const withIds = () => {
        const ids = JSON.parse(eventIds.get(first, last)!) as string[];
        for (let i = 0; i < group.length; i++) group[i]!.eventId = ids[i]!;
      };
      const apply = async () => {
        const changes = await this.apply(group, withIds, () => upsertRatings.run(first, last));
        if (changes) {
          for (const delta of changes.movies) {
            const sum = movies.get(delta.movieId);
            if (!sum) movies.set(delta.movieId, { ...delta });
            else {
              sum.ratingCount += delta.ratingCount;
              sum.ratingSum += delta.ratingSum;
            }
          }
          priorMean = changes.priorMean;
        }
        onApplied(last, this.imported);
        group = [];
        first = last + 1;
      };
      for (;;) {
        const rows = JSON.parse(page.get(last, this.sizes.readPage)!) as SortedRow[];
        for (const [rowid, userId, movieId, rating, eventTime] of rows) {
          // A group ends between users: each user's events are applied together.
          if (group.length >= this.sizes.groupEvents && group[group.length - 1]!.userId !== userId) await apply();
          group.push({ userId, movieId, rating, eventTime, eventId: '' });
          last = rowid;
        }
        if (rows.length < this.sizes.readPage) break;
      }
      if (group.length > 0) await apply();
      if (movies.size > 0) {
        const changes: FeatureChanges = {
          ratings: [],
          users: [],
          movies: [...movies.values()],
          global: { ratingCount: 0, ratingSum: 0 },
          batchTime: this.batchTime,
          priorMean,
        };
        await atomically(this.db, () => this.features.writeChanges(changes), () => this.features.forgetCached());
      }
    } finally {
      this.db.exec('DROP TABLE IF EXISTS temp.import_sorted');
      this.db.exec('DELETE FROM temp.import_objects');
    }
    return { ...this.counts };
  }

  /**
   * One group of users' events, with their ratings, features and the global stats in one commit,
   * and not what it adds to movies; returns its changes, if it changed anything. The events come
   * sorted by user and movie, without their ids (''), which `readEventIds` fills in.
   */
  private async apply(events: readonly RatingEvent[], readEventIds: () => void, writeRatings: () => void): Promise<FeatureChanges | undefined> {
    const userIds = [...new Set(events.map((e) => e.userId))];
    const movieIds = [...new Set(events.map((e) => e.movieId))];
    const snapshot = this.features.readUsersSnapshot(userIds, movieIds);
    // An event's id only decides between ratings of the same pair (applyRatings' isNewer), and the
    // ratings are written from the sorted table: a group whose every pair is new and rated once
    // is applied without them.
    const repeated = events.some((e, i) => i > 0 && e.userId === events[i - 1]!.userId && e.movieId === events[i - 1]!.movieId);
    if (repeated || snapshot.ratings.size > 0) readEventIds();
    const { changes, outcomes } = applyRatings(snapshot, events, this.batchTime);
    for (const o of outcomes) this.counts[o]++;
    if (changes.ratings.length === 0) return undefined;
    await atomically(
      this.db,
      async () => {
        writeRatings();
        // The ratings are written above, from the table in key order: the changes without them.
        await this.features.writeChanges({ ...changes, ratings: [], movies: [] });
      },
      () => this.features.forgetCached(),
    );
    return changes;
  }

  /** One MSK event's records, split into bronze and quarantine objects as the consumer splits them. */
  private async writeBatch(batch: readonly ImportRecord[]): Promise<void> {
    const byPartition = new Map<string, ImportRecord[]>();
    for (const r of batch) {
      const key = `${r.topic}-${r.partition}`;
      let list = byPartition.get(key);
      if (!list) byPartition.set(key, (list = []));
      list.push(r);
    }
    for (const key of [...byPartition.keys()].sort()) {
      const records = byPartition.get(key)!.sort((a, b) => a.offset - b.offset);
      const bronze: BronzeRecord[] = [];
      const quarantine: QuarantineRecord[] = [];
      for (const record of records) {
        this.batchTime = Math.max(this.batchTime, record.timestamp);
        const { result, value } = parsed(record);
        if (result.ok) bronze.push({ offset: record.offset, event: result.event });
        else quarantine.push({ offset: record.offset, timestamp: record.timestamp, reason: result.reason, value, key: base64Key(record) });
      }
      this.counts.received += records.length;
      this.counts.quarantined += quarantine.length;
      const id = lakeObjectIdOf(records);
      if (bronze.length > 0) {
        await this.lake.writeBronze(id, bronze);
        this.addObject.run(lakeObjectKey('events', id), this.objects++);
        this.imported += bronze.length;
      }
      if (quarantine.length > 0) await this.lake.writeQuarantine(id, quarantine);
    }
  }
}

/**
 * The consumer's verdict on a record. A plain event object (the contract's fields alone, primitive,
 * short) is validated as it is: its JSON would decode to the same object. Anything else, and any
 * event the contract refuses, goes through the consumer's own decoding of the encoded value, so
 * that a quarantined record holds the very value and reason the topic would have given it.
 */
function parsed(record: ImportRecord): { result: ParseResult; value: string } {
  const origin: RecordOrigin = { topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp };
  if ('base64Value' in record) return { result: parseRecordValue(record.base64Value, origin), value: record.base64Value };
  if (isPlain(record.event)) {
    const result = validateEvent(record.event, origin);
    if (result.ok) return { result, value: '' };
  }
  const value = encodedValue(record.event).toString('base64');
  return { result: parseRecordValue(value, origin), value };
}

/** The record's key as quarantine keeps it: base64, '' for none. Only a quarantined record needs it. */
function base64Key(record: ImportRecord): string {
  if ('base64Key' in record) return record.base64Key;
  return record.key === null ? '' : Buffer.from(record.key).toString('base64');
}

const CONTRACT_FIELDS = new Set(['event_id', 'type', 'user_id', 'movie_id', 'rating', 'timestamp']);
/** Longest string a plain event holds: its JSON stays far below the contract's size limit. */
const PLAIN_STRING = 2 * MAX_EVENT_ID_LENGTH;

function isPlain(event: EventObject): boolean {
  if (Array.isArray(event)) return false;
  for (const key in event) {
    if (!CONTRACT_FIELDS.has(key)) return false;
    const v = (event as Record<string, unknown>)[key];
    if (typeof v === 'string' ? v.length > PLAIN_STRING : typeof v !== 'number' && v !== null && v !== undefined) return false;
  }
  return true;
}

function encodedValue(event: EventObject): Buffer {
  return Buffer.from(JSON.stringify(event) ?? 'null');
}
