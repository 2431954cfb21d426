/**
 * Moving a lake between this machine and S3, for users of the single-machine setup who move to AWS
 * (and back). Export copies every bronze and quarantine object under the same keys, and the
 * catalog. Import loads the catalog, then imports each original Kafka batch (its valid and its
 * quarantined records, at their original offsets) in bulk, as the consumer would consume it: the
 * same objects again, and the online features rebuilt.
 */
import { S3EventLake } from '../lambdas/aws/s3-event-lake';
import type { BronzeLine, QuarantineLine } from '../lambdas/core/lake/lake-layout';
import type { Movie } from '../lambdas/core/movie';
import type { FeatureStore, LakeObjectId } from '../lambdas/core/ports';
import type { ConsumeCounts } from '../lambdas/handlers/consume';
import type { EmbeddedProducer } from './embedded-producer';
import type { BulkImport, ImportRecord } from './bulk-import';
import type { SqliteEventLake } from './sqlite/sqlite-event-lake';

const HOUR_MS = 60 * 60 * 1000;
/** Kafka batches written per commit of the import's first pass. */
const BATCHES_PER_COMMIT = 100;

export async function exportLake(
  source: SqliteEventLake,
  catalog: readonly Movie[],
  target: S3EventLake,
): Promise<{ objects: number; records: number; movies: number }> {
  await target.writeCatalog(catalog);
  let objects = 0;
  let records = 0;
  for (const object of source.objects()) {
    if (object.area === 'events') await target.writeBronze(object.id, object.records);
    else await target.writeQuarantine(object.id, object.records);
    objects++;
    records += object.records.length;
  }
  return { objects, records, movies: catalog.length };
}

export async function importLake(
  source: S3EventLake,
  target: { features: Pick<FeatureStore, 'upsertMovies'>; bulk: BulkImport },
  producer: EmbeddedProducer,
): Promise<ConsumeCounts & { batches: number; movies: number }> {
  // Genre features need the catalog before the first event.
  const catalog = await source.readCatalog();
  await target.features.upsertMovies(catalog);
  const batches = new Map<string, { id: LakeObjectId; bronze: BronzeLine[]; quarantine: QuarantineLine[] }>();
  for await (const object of source.objects()) {
    const { topic, partition, firstOffset, lastOffset, timestamp } = object.id;
    const key = `${new Date(timestamp).toISOString()}/${topic}/${partition}/${firstOffset}/${lastOffset}`;
    let batch = batches.get(key);
    if (!batch) batches.set(key, (batch = { id: object.id, bronze: [], quarantine: [] }));
    if (object.area === 'events') batch.bronze.push(...object.lines);
    else batch.quarantine.push(...object.lines);
  }

  const keys = [...batches.keys()].sort();
  for (let start = 0; start < keys.length; start += BATCHES_PER_COMMIT) {
    const records = keys.slice(start, start + BATCHES_PER_COMMIT).map((key) => {
      const { id, bronze, quarantine } = batches.get(key)!;
      // Any time in the object's hour gives its key back; its end keeps every event time valid.
      const time = id.timestamp + HOUR_MS - 1;
      const at = (offset: number, timestamp: number) => ({ topic: id.topic, partition: id.partition, offset, timestamp });
      return [
        ...bronze.map((line): ImportRecord => ({ ...at(line.kafka_offset, time), event: eventOf(line), key: String(line.user_id) })),
        // A quarantined record goes back exactly as it came: its raw key and value (base64 already), its own time.
        ...quarantine.map((line): ImportRecord => ({ ...at(line.kafka_offset, line.kafka_timestamp), base64Key: line.key ?? '', base64Value: line.value ?? '' })),
      ].sort((a, b) => a.offset - b.offset);
    });
    await target.bulk.addBatches(records);
  }
  // Local batches produced later must not reuse these offsets, or their objects' keys.
  for (const { id } of batches.values()) producer.advancePast(id.topic, id.partition, id.lastOffset);
  return { ...(await target.bulk.finish()), batches: batches.size, movies: catalog.length };
}

function eventOf(line: BronzeLine): Record<string, unknown> {
  return { event_id: line.event_id, type: 'rating', user_id: line.user_id, movie_id: line.movie_id, rating: line.rating, timestamp: line.event_time };
}

