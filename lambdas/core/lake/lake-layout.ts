/**
 * Object keys of the data lake. S3 uses them as keys and SQLite as primary keys, so that a retried
 * batch rewrites the very same object in either store.
 */
import type { GoldTable } from './lake-tables';
import type { Movie } from '../movie';
import type { BatchQuery, BronzeRecord, LakeObjectId, QuarantineRecord } from '../ports';

export type LakeArea = 'events' | 'quarantine';

/** `dt` and `hour` of a batch come from its first record's Kafka timestamp, so a retry keeps them. */
export function lakePartition(timestamp: number): { dt: string; hour: string } {
  const iso = new Date(Math.max(0, timestamp)).toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/** The object of one topic-partition's records in a batch, sorted by offset: where they lie, and the first one's Kafka time. */
export function lakeObjectIdOf(records: readonly { topic: string; partition: number; offset: number; timestamp: number }[]): LakeObjectId {
  const first = records[0]!;
  return {
    topic: first.topic,
    partition: first.partition,
    firstOffset: first.offset,
    lastOffset: records[records.length - 1]!.offset,
    timestamp: first.timestamp,
  };
}

export function lakeObjectKey(area: LakeArea, id: LakeObjectId): string {
  const { dt, hour } = lakePartition(id.timestamp);
  return `bronze/${area}/dt=${dt}/hour=${hour}/${id.topic}-${id.partition}-${id.firstOffset}-${id.lastOffset}.jsonl.gz`;
}

/**
 * The movie catalog: one gzip JSON Lines object that whoever owns the catalog replaces whole. The
 * batch joins it for genre features and takes titles and genres from it into the model.
 */
export const CATALOG_KEY = 'catalog/movies/movies.jsonl.gz';

/** Where each silver table lives in the lake. */
export const SILVER_LOCATIONS: Record<BatchQuery['target'], string> = {
  silver_ratings: 'silver/ratings',
  silver_user_features: 'silver/user_features',
  silver_movie_features: 'silver/movie_features',
};

/** Where each gold table lives in the lake. */
export const GOLD_LOCATIONS: Record<GoldTable, string> = {
  gold_movies: 'gold/movies',
  gold_item_neighbours: 'gold/item_neighbours',
  gold_popularity: 'gold/popularity',
};

/** The folder of a silver table's partition for one date, ending with '/'. */
export function silverPartitionKey(table: BatchQuery['target'], date: string): string {
  return `${SILVER_LOCATIONS[table]}/dt=${date}/`;
}

/**
 * The receipt of a silver partition, written once its statement has run to the end: a partition
 * without one may be partial (a failed UNLOAD leaves what it wrote), so no run merges onto it. It
 * lies outside the table's location, where Athena would read it as data.
 */
export function silverReceiptKey(table: BatchQuery['target'], date: string): string {
  return `${silverReceiptFolder(table)}dt=${date}.json`;
}

export function silverReceiptFolder(table: BatchQuery['target']): string {
  return `silver/_receipts/${SILVER_LOCATIONS[table].slice('silver/'.length)}/`;
}

/** The date of a receipt's key (any prefix before `silver/`), or undefined for another key. */
export function receiptDate(key: string): string | undefined {
  return /\/dt=(\d{4}-\d{2}-\d{2})\.json$/.exec(key)?.[1];
}

const OBJECT_KEY = /(?:^|\/)bronze\/(events|quarantine)\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/(.+)-(\d+)-(\d+)-(\d+)\.jsonl\.gz$/;

/**
 * The area and id of a lake object from its key (any prefix before `bronze/`); the timestamp is
 * the start of its hour, which gives the same key back. Undefined for a key outside the layout.
 */
export function parseLakeObjectKey(key: string): { area: LakeArea; id: LakeObjectId } | undefined {
  const m = OBJECT_KEY.exec(key);
  if (!m) return undefined;
  return {
    area: m[1] as LakeArea,
    id: {
      topic: m[4]!,
      partition: Number(m[5]),
      firstOffset: Number(m[6]),
      lastOffset: Number(m[7]),
      timestamp: Date.parse(`${m[2]}T${m[3]}:00:00Z`),
    },
  };
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

/** One catalog line, under the names of the lake's catalog table. */
export interface CatalogLine {
  movie_id: number;
  title: string;
  genres: string[];
}

export function catalogLine(m: Movie): CatalogLine {
  return { movie_id: m.movieId, title: m.title, genres: m.genres };
}

export function movieOfCatalogLine(line: CatalogLine): Movie {
  return { movieId: line.movie_id, title: line.title, genres: line.genres };
}
