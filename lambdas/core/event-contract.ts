/**
 * The rating event contract: one Kafka message value (UTF-8 JSON, base64 in the MSK event) becomes
 * either a validated rating or a rejection that names the rule it broke.
 *
 * This module is the single source of truth for the rules; the docs and tests import it.
 */

/** A validated rating, normalised: timestamps as epoch milliseconds, the event id always present. */
export interface RatingEvent {
  eventId: string;
  userId: number;
  movieId: number;
  rating: number;
  /** Event time, epoch milliseconds (UTC). */
  eventTime: number;
}

/** The order of a user's profile and latest ratings: the latest event first, then the lower movie id. */
export function latestFirst(a: Pick<RatingEvent, 'eventTime' | 'movieId'>, b: Pick<RatingEvent, 'eventTime' | 'movieId'>): number {
  return b.eventTime - a.eventTime || a.movieId - b.movieId;
}

/** Where a record came from in Kafka; the derived event id and quarantine entries use it. */
export interface RecordOrigin {
  topic: string;
  partition: number;
  offset: number;
  /** The Kafka record timestamp, epoch milliseconds; 0 or less when unknown. */
  timestamp: number;
}

export type ParseResult = { ok: true; event: RatingEvent } | { ok: false; reason: string };

export const EVENT_TYPE = 'rating';
export const RATING_MIN = 0.5;
export const RATING_MAX = 5;
export const RATING_STEP = 0.5;
/** Ids are stored as 32-bit integers in the lake's columnar files. */
export const MAX_ID = 2_147_483_647;
/** A rating event is about 150 bytes; anything near this bound is not one. */
export const MAX_VALUE_BYTES = 16 * 1024;
export const MAX_EVENT_ID_LENGTH = 128;
/** Earliest accepted event time. Guards against epoch seconds sent where milliseconds belong. */
export const MIN_EVENT_TIME = Date.UTC(1990, 0, 1);
/** How far an event may claim to be ahead of the Kafka record that carried it (clock skew). */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const EVENT_ID = /^[\x21-\x7e]+$/;
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The event id used when the producer sent none: stable across redeliveries of the same record. */
export function derivedEventId(origin: RecordOrigin): string {
  return `${origin.topic}-${origin.partition}-${origin.offset}`;
}

/** Decodes and validates one MSK record value (base64 of UTF-8 JSON). */
export function parseRecordValue(value: string | null | undefined, origin: RecordOrigin): ParseResult {
  if (value === undefined || value === null || value === '') return reject('value is empty');
  if (value.length > Math.ceil(MAX_VALUE_BYTES / 3) * 4) {
    return reject(`value is larger than ${MAX_VALUE_BYTES} bytes`);
  }
  if (!BASE64.test(value)) return reject('value is not valid base64');
  let text: string;
  try {
    text = utf8.decode(Buffer.from(value, 'base64'));
  } catch {
    return reject('value is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return reject('value is not valid JSON');
  }
  return validateEvent(json, origin);
}

/** Validates an already-decoded event object against the contract. */
export function validateEvent(json: unknown, origin: RecordOrigin): ParseResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return reject('event is not a JSON object');
  }
  const o = json as Record<string, unknown>;

  if (o.type === undefined) return reject('type is missing');
  if (o.type !== EVENT_TYPE) return reject(`type ${describe(o.type)} is not supported (expected "rating")`);

  const userId = positiveId(o.user_id, 'user_id');
  if (typeof userId === 'string') return reject(userId);
  const movieId = positiveId(o.movie_id, 'movie_id');
  if (typeof movieId === 'string') return reject(movieId);

  const rating = o.rating;
  if (rating === undefined) return reject('rating is missing');
  if (typeof rating !== 'number' || !Number.isFinite(rating)) return reject('rating must be a number');
  if (rating < RATING_MIN || rating > RATING_MAX) {
    return reject(`rating ${rating} is outside ${RATING_MIN}-${RATING_MAX}`);
  }
  if (!Number.isInteger(rating / RATING_STEP)) return reject(`rating ${rating} is not a multiple of ${RATING_STEP}`);

  const eventTime = parseTimestamp(o.timestamp);
  if (typeof eventTime === 'string') return reject(eventTime);
  if (eventTime < MIN_EVENT_TIME) return reject('timestamp is before 1990-01-01 (epoch milliseconds expected)');
  if (origin.timestamp > 0 && eventTime > origin.timestamp + MAX_FUTURE_SKEW_MS) {
    return reject('timestamp is more than 24 hours after the Kafka record time');
  }

  let eventId: string;
  if (o.event_id === undefined || o.event_id === null) {
    eventId = derivedEventId(origin);
  } else if (typeof o.event_id !== 'string') {
    return reject('event_id must be a string');
  } else if (o.event_id.length === 0 || o.event_id.length > MAX_EVENT_ID_LENGTH) {
    return reject(`event_id must be 1-${MAX_EVENT_ID_LENGTH} characters`);
  } else if (!EVENT_ID.test(o.event_id)) {
    return reject('event_id must be printable ASCII without spaces');
  } else {
    eventId = o.event_id;
  }

  return { ok: true, event: { eventId, userId, movieId, rating, eventTime } };
}

/** ISO-8601 with a time zone, or epoch milliseconds; returns epoch ms or the reason it is invalid. */
export function parseTimestamp(value: unknown): number | string {
  if (value === undefined) return 'timestamp is missing';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) return 'timestamp must be a non-negative integer of epoch milliseconds';
    return value;
  }
  if (typeof value !== 'string') return 'timestamp must be an ISO-8601 string or epoch milliseconds';
  const m = ISO_8601.exec(value);
  if (!m) return 'timestamp is not ISO-8601 with a time zone (e.g. 2026-11-24T13:45:00Z)';
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((s) => (s === undefined ? 0 : Number(s))) as [
    number, number, number, number, number, number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    return 'timestamp is not a valid date and time';
  }
  if (m[7] !== 'Z' && (Number(m[8]) > 23 || Number(m[9]) > 59)) return 'timestamp has an invalid time zone offset';
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

function positiveId(value: unknown, field: string): number | string {
  if (value === undefined) return `${field} is missing`;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_ID) {
    return `${field} must be an integer from 1 to ${MAX_ID}`;
  }
  return value;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function reject(reason: string): ParseResult {
  return { ok: false, reason };
}
