import type { MSKEvent, MSKRecord } from 'aws-lambda';
import type { RatingEvent } from '../../lambdas/core/event-contract';

export const KAFKA_TIME = Date.UTC(2026, 10, 24, 12);

/** An MSK record whose value is the JSON of `value` (or the raw string given). */
export function mskRecord(value: unknown, offset: number, partition = 0, topic = 'user-events'): MSKRecord {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return {
    topic,
    partition,
    offset,
    timestamp: KAFKA_TIME,
    timestampType: 'CREATE_TIME',
    key: '',
    value: Buffer.from(text).toString('base64'),
    headers: [],
  };
}

export function mskEvent(records: MSKRecord[]): MSKEvent {
  const grouped: Record<string, MSKRecord[]> = {};
  for (const r of records) (grouped[`${r.topic}-${r.partition}`] ??= []).push(r);
  return { eventSource: 'aws:kafka', eventSourceArn: 'arn:test', bootstrapServers: 'test', records: grouped };
}

export function rating(
  userId: number,
  movieId: number,
  value: number,
  timestamp: string | number,
  eventId?: string,
): Record<string, unknown> {
  return {
    ...(eventId === undefined ? {} : { event_id: eventId }),
    type: 'rating',
    user_id: userId,
    movie_id: movieId,
    rating: value,
    timestamp,
  };
}

/** A validated rating, as the core sees it. */
export function ratingEvent(eventId: string, userId: number, movieId: number, rating: number, eventTime: number): RatingEvent {
  return { eventId, userId, movieId, rating, eventTime };
}
