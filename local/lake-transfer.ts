/**
 * Moving a lake between this machine and S3, for users of the single-machine setup who move to AWS
 * (and back). Export copies every bronze and quarantine object under the same keys, and the
 * catalog. Import loads the catalog, then replays each original Kafka batch (its valid and its
 * quarantined records, at their original offsets) through the consumer, which writes the same
 * objects again and rebuilds the online features.
 */
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { mskEvent, mskRecord } from './msk-records';
import { S3EventLake } from '../lambdas/aws/s3-event-lake';
import type { BronzeLine, QuarantineLine } from '../lambdas/core/lake/lake-layout';
import type { Movie } from '../lambdas/core/movie';
import type { FeatureStore, LakeObjectId } from '../lambdas/core/ports';
import type { ConsumeCounts } from '../lambdas/handlers/consume';
import type { EmbeddedProducer } from './embedded-producer';
import { sumCounts } from './event-pipeline';
import type { SqliteEventLake } from './sqlite/sqlite-event-lake';

const HOUR_MS = 60 * 60 * 1000;

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
  target: { features: Pick<FeatureStore, 'upsertMovies'>; submit: (event: MSKEvent) => Promise<ConsumeCounts> },
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

  const counts: ConsumeCounts[] = [];
  for (const key of [...batches.keys()].sort()) {
    const { id, bronze, quarantine } = batches.get(key)!;
    // Any time in the object's hour gives its key back; its end keeps every event time valid.
    const time = id.timestamp + HOUR_MS - 1;
    const at = (offset: number, timestamp: number) => ({ topic: id.topic, partition: id.partition, offset, timestamp });
    const records: MSKRecord[] = [
      ...bronze.map((line) => mskRecord(at(line.kafka_offset, time), String(line.user_id), JSON.stringify(eventOf(line)))),
      // A quarantined record goes back exactly as it came: its raw key and value (base64 already), its own time.
      ...quarantine.map((line) => ({ ...mskRecord(at(line.kafka_offset, line.kafka_timestamp), null, null), key: line.key ?? '', value: line.value ?? '' })),
    ].sort((a, b) => a.offset - b.offset);
    counts.push(await target.submit(mskEvent({ eventSourceArn: 'import', bootstrapServers: 'import' }, records)));
    // Local batches produced later must not reuse these offsets, or their objects' keys.
    producer.advancePast(id.topic, id.partition, id.lastOffset);
  }
  return { ...sumCounts(counts), batches: batches.size, movies: catalog.length };
}

function eventOf(line: BronzeLine): Record<string, unknown> {
  return { event_id: line.event_id, type: 'rating', user_id: line.user_id, movie_id: line.movie_id, rating: line.rating, timestamp: line.event_time };
}

