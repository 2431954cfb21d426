/**
 * Moving a lake between this machine and S3, for users of the single-machine setup who move to AWS
 * (and back). Export copies every bronze and quarantine object under the same keys, and the
 * catalog. Import loads the catalog, then imports each original Kafka batch (its valid and its
 * quarantined records, at their original offsets) in bulk, as the consumer would consume it: the
 * same objects again, and the online features rebuilt.
 */
import type { ListedLakeObject, S3EventLake } from '../lambdas/aws/s3-event-lake';
import type { BronzeLine } from '../lambdas/core/lake/lake-layout';
import type { Movie } from '../lambdas/core/movie';
import type { FeatureStore, LakeObjectId } from '../lambdas/core/ports';
import type { ConsumeCounts } from '../lambdas/handlers/consume';
import type { EmbeddedProducer } from './embedded-producer';
import type { BulkImport, ImportRecord } from './bulk-import';
import type { SqliteEventLake } from './sqlite/sqlite-event-lake';

const HOUR_MS = 60 * 60 * 1000;
/**
 * Kafka batches written per commit of the import's first pass: a commit's records live until it is
 * written, and as with the MovieLens import's chunks (IMPORT_CHUNK), 10,000 records die young.
 */
const BATCHES_PER_COMMIT = 10;

/** Commits whose objects are read while one is written. */
const COMMITS_READ_AHEAD = 2;

/** Objects written to S3 at once: a PUT mostly waits on the network. */
const WRITES_IN_FLIGHT = 16;

/** How far an export has come, and a signal that stops it after the objects in flight. */
export interface ExportOptions {
  onObjects?(done: number, total: number): void;
  signal?: AbortSignal;
}

/** Returns the objects and records written, of `total` objects: fewer when `signal` stopped it. */
export async function exportLake(
  source: SqliteEventLake,
  catalog: readonly Movie[],
  target: S3EventLake,
  { onObjects = () => undefined, signal }: ExportOptions = {},
): Promise<{ objects: number; total: number; records: number; movies: number }> {
  await target.writeCatalog(catalog);
  const total = source.objectCount();
  const writing = new Set<Promise<void>>();
  let objects = 0;
  let records = 0;
  let written = 0;
  for (const object of source.objects()) {
    if (writing.size >= WRITES_IN_FLIGHT) await Promise.race(writing);
    if (signal?.aborted) break;
    const write = (object.area === 'events' ? target.writeBronze(object.id, object.records) : target.writeQuarantine(object.id, object.records)).then(() => {
      writing.delete(write);
      onObjects(++written, total);
    });
    writing.add(write);
    objects++;
    records += object.records.length;
  }
  await Promise.all(writing);
  return { objects, total, records, movies: catalog.length };
}

/**
 * How far an import has come: objects read and written, then events applied; and a signal that
 * stops it after the commit being written, whose events are then applied.
 */
export interface ImportOptions {
  onObjects?(done: number, total: number): void;
  onApplied?(done: number, total: number): void;
  signal?: AbortSignal;
}

/** One original Kafka batch: its bronze object, its quarantine object, or both. */
interface ListedBatch {
  id: LakeObjectId;
  objects: ListedLakeObject[];
}

export async function importLake(
  source: S3EventLake,
  target: { features: Pick<FeatureStore, 'upsertMovies'>; bulk: BulkImport },
  producer: EmbeddedProducer,
  { onObjects = () => undefined, onApplied = () => undefined, signal }: ImportOptions = {},
): Promise<ConsumeCounts & { batches: number; movies: number }> {
  // Genre features need the catalog before the first event.
  const catalog = await source.readCatalog();
  await target.features.upsertMovies(catalog);
  // The batches come from the listing alone, their objects read a commit at a time: a lake may hold
  // more records than memory, and a batch's two objects lie apart in key order.
  const batches = new Map<string, ListedBatch>();
  let total = 0;
  for await (const object of source.list()) {
    const { topic, partition, firstOffset, lastOffset, timestamp } = object.id;
    const key = `${new Date(timestamp).toISOString()}/${topic}/${partition}/${firstOffset}/${lastOffset}`;
    let batch = batches.get(key);
    if (!batch) batches.set(key, (batch = { id: object.id, objects: [] }));
    batch.objects.push(object);
    total++;
  }
  const keys = [...batches.keys()].sort();
  const commits: ListedBatch[][] = [];
  for (let start = 0; start < keys.length; start += BATCHES_PER_COMMIT) {
    commits.push(keys.slice(start, start + BATCHES_PER_COMMIT).map((key) => batches.get(key)!));
  }

  // The next commits' objects are read while this one's are written.
  const read = (commit: ListedBatch[]) => {
    const records = Promise.all(commit.map((batch) => readBatch(source, batch)));
    // Awaited in its turn, or given up when a write before it fails.
    records.catch(() => undefined);
    return records;
  };
  let done = 0;
  let imported = 0;
  const reading = commits.slice(0, COMMITS_READ_AHEAD).map(read);
  for (let i = 0; i < commits.length && !signal?.aborted; i++) {
    const records = await reading.shift()!;
    if (i + COMMITS_READ_AHEAD < commits.length) reading.push(read(commits[i + COMMITS_READ_AHEAD]!));
    await target.bulk.addBatches(records);
    for (const batch of commits[i]!) done += batch.objects.length;
    imported += commits[i]!.length;
    onObjects(done, total);
  }
  // Local batches produced later must not reuse these offsets, or their objects' keys: those of
  // batches an interrupted import left for its next run included.
  for (const { id } of batches.values()) producer.advancePast(id.topic, id.partition, id.lastOffset);
  return { ...(await target.bulk.finish(onApplied)), batches: imported, movies: catalog.length };
}

/** A batch's records as the topic carried them, in offset order. */
async function readBatch(source: S3EventLake, batch: ListedBatch): Promise<ImportRecord[]> {
  const { topic, partition, timestamp } = batch.id;
  // Any time in the object's hour gives its key back; its end keeps every event time valid.
  const time = timestamp + HOUR_MS - 1;
  const records: ImportRecord[] = [];
  // One literal a record, all of one shape: spreading the batch's fields into each made a 10M-event
  // import 1.2 to 1.4 times as long.
  for (const object of await Promise.all(batch.objects.map((o) => source.read(o)))) {
    if (object.area === 'events') {
      for (const line of object.lines) {
        records.push({ topic, partition, offset: line.kafka_offset, timestamp: time, event: eventOf(line), key: String(line.user_id) });
      }
    } else {
      // A quarantined record goes back exactly as it came: its raw key and value (base64 already), its own time.
      for (const line of object.lines) {
        records.push({ topic, partition, offset: line.kafka_offset, timestamp: line.kafka_timestamp, base64Key: line.key ?? '', base64Value: line.value ?? '' });
      }
    }
  }
  return records.sort((a, b) => a.offset - b.offset);
}

function eventOf(line: BronzeLine): Record<string, unknown> {
  return { event_id: line.event_id, type: 'rating', user_id: line.user_id, movie_id: line.movie_id, rating: line.rating, timestamp: line.event_time };
}
