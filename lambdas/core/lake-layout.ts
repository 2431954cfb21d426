/**
 * Object keys of the data lake. S3 uses them as keys and SQLite as primary keys, so that a retried
 * batch rewrites the very same object in either store.
 */
import type { BronzeRecord, LakeObjectId, QuarantineRecord } from './ports';

export type LakeArea = 'events' | 'quarantine';

/** `dt` and `hour` of a batch come from its first record's Kafka timestamp, so a retry keeps them. */
export function lakePartition(timestamp: number): { dt: string; hour: string } {
  const iso = new Date(Math.max(0, timestamp)).toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

export function lakeObjectKey(area: LakeArea, id: LakeObjectId): string {
  const { dt, hour } = lakePartition(id.timestamp);
  return `bronze/${area}/dt=${dt}/hour=${hour}/${id.topic}-${id.partition}-${id.firstOffset}-${id.lastOffset}.jsonl.gz`;
}

/** One bronze line (JSON Lines): the event's fields under the names of the lake's bronze table. */
export interface BronzeLine {
  kafka_offset: number;
  event_id: string;
  user_id: number;
  movie_id: number;
  rating: number;
  /** Epoch ms. */
  event_time: number;
}

export interface QuarantineLine {
  kafka_offset: number;
  kafka_timestamp: number;
  reason: string;
  /** The record value exactly as received (base64). */
  value: string | null;
  key: string | null;
}

export function bronzeLine({ offset, event }: BronzeRecord): BronzeLine {
  return {
    kafka_offset: offset,
    event_id: event.eventId,
    user_id: event.userId,
    movie_id: event.movieId,
    rating: event.rating,
    event_time: event.eventTime,
  };
}

export function quarantineLine(r: QuarantineRecord): QuarantineLine {
  return { kafka_offset: r.offset, kafka_timestamp: r.timestamp, reason: r.reason, value: r.value, key: r.key };
}
