import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_EVENT_ID_LENGTH,
  MAX_ID,
  MAX_VALUE_BYTES,
  MIN_EVENT_TIME,
  parseRecordValue,
  parseTimestamp,
  validateEvent,
  type RecordOrigin,
} from '../../../lambdas/core/event-contract';

const origin: RecordOrigin = { topic: 'user-events', partition: 3, offset: 1234, timestamp: Date.UTC(2026, 10, 24, 12) };
const base = { event_id: 'e-1', type: 'rating', user_id: 42, movie_id: 318, rating: 4.5, timestamp: '2026-11-24T11:45:00Z' };
const b64 = (text: string) => Buffer.from(text).toString('base64');

function reasonFor(fields: Record<string, unknown>, at: RecordOrigin = origin): string | undefined {
  const r = validateEvent({ ...base, ...fields }, at);
  return r.ok ? undefined : r.reason;
}

describe('parseRecordValue', () => {
  it('accepts the contract example and normalises it', () => {
    expect(parseRecordValue(b64(JSON.stringify(base)), origin)).toEqual({
      ok: true,
      event: { eventId: 'e-1', userId: 42, movieId: 318, rating: 4.5, eventTime: Date.UTC(2026, 10, 24, 11, 45) },
    });
  });

  it.each([
    ['an empty value', '', 'value is empty'],
    ['a null value', null, 'value is empty'],
    ['a missing value', undefined, 'value is empty'],
    ['invalid base64', '!!!not-base64', 'value is not valid base64'],
    ['base64 with bad padding', 'YWJj=', 'value is not valid base64'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'), 'value is not valid UTF-8'],
    ['invalid JSON', b64('{"type": "rating",'), 'value is not valid JSON'],
    ['a JSON array', b64('[1,2]'), 'event is not a JSON object'],
    ['JSON null', b64('null'), 'event is not a JSON object'],
    ['a JSON string', b64('"rating"'), 'event is not a JSON object'],
    ['an oversized value', b64(' '.repeat(MAX_VALUE_BYTES + 10)), `value is larger than ${MAX_VALUE_BYTES} bytes`],
  ])('rejects %s', (_name, value, reason) => {
    expect(parseRecordValue(value, origin)).toEqual({ ok: false, reason });
  });
});

describe('validateEvent field rules', () => {
  it.each<[string, Record<string, unknown>, string | undefined]>([
    // type
    ['type missing', { type: undefined }, 'type is missing'],
    ['type unknown', { type: 'click' }, 'type "click" is not supported (expected "rating")'],
    ['type not a string', { type: 7 }, 'type 7 is not supported (expected "rating")'],
    ['type in another case', { type: 'Rating' }, 'type "Rating" is not supported (expected "rating")'],
    // user_id and movie_id
    ['user_id missing', { user_id: undefined }, 'user_id is missing'],
    ['user_id zero', { user_id: 0 }, `user_id must be an integer from 1 to ${MAX_ID}`],
    ['user_id negative', { user_id: -5 }, `user_id must be an integer from 1 to ${MAX_ID}`],
    ['user_id fractional', { user_id: 1.5 }, `user_id must be an integer from 1 to ${MAX_ID}`],
    ['user_id as a string', { user_id: '42' }, `user_id must be an integer from 1 to ${MAX_ID}`],
    ['user_id too large', { user_id: MAX_ID + 1 }, `user_id must be an integer from 1 to ${MAX_ID}`],
    ['user_id at the maximum', { user_id: MAX_ID }, undefined],
    ['user_id null', { user_id: null }, `user_id must be an integer from 1 to ${MAX_ID}`],
    ['movie_id missing', { movie_id: undefined }, 'movie_id is missing'],
    ['movie_id zero', { movie_id: 0 }, `movie_id must be an integer from 1 to ${MAX_ID}`],
    ['movie_id a boolean', { movie_id: true }, `movie_id must be an integer from 1 to ${MAX_ID}`],
    ['movie_id huge', { movie_id: 1e300 }, `movie_id must be an integer from 1 to ${MAX_ID}`],
    // rating: range, step, type
    ['rating missing', { rating: undefined }, 'rating is missing'],
    ['rating as a string', { rating: '4' }, 'rating must be a number'],
    ['rating null', { rating: null }, 'rating must be a number'],
    ['rating below the range', { rating: 0 }, 'rating 0 is outside 0.5-5'],
    ['rating above the range', { rating: 5.5 }, 'rating 5.5 is outside 0.5-5'],
    ['rating negative', { rating: -1 }, 'rating -1 is outside 0.5-5'],
    ['rating off the step', { rating: 3.7 }, 'rating 3.7 is not a multiple of 0.5'],
    ['rating a quarter', { rating: 4.25 }, 'rating 4.25 is not a multiple of 0.5'],
    ['rating at the minimum', { rating: 0.5 }, undefined],
    ['rating at the maximum', { rating: 5 }, undefined],
    ['rating whole', { rating: 3 }, undefined],
    // timestamp forms
    ['timestamp missing', { timestamp: undefined }, 'timestamp is missing'],
    ['timestamp as epoch ms', { timestamp: Date.UTC(2026, 0, 2) }, undefined],
    ['timestamp with an offset', { timestamp: '2026-11-24T13:45:00+02:00' }, undefined],
    ['timestamp with a compact offset', { timestamp: '2026-11-24T13:45:00-0530' }, undefined],
    ['timestamp with fractions', { timestamp: '2026-11-24T13:45:00.123456Z' }, undefined],
    ['timestamp without seconds', { timestamp: '2026-11-24T13:45Z' }, undefined],
    ['timestamp without a zone', { timestamp: '2026-11-24T13:45:00' }, 'timestamp is not ISO-8601 with a time zone (e.g. 2026-11-24T13:45:00Z)'],
    ['timestamp date only', { timestamp: '2026-11-24' }, 'timestamp is not ISO-8601 with a time zone (e.g. 2026-11-24T13:45:00Z)'],
    ['timestamp free text', { timestamp: 'yesterday' }, 'timestamp is not ISO-8601 with a time zone (e.g. 2026-11-24T13:45:00Z)'],
    ['timestamp February 30', { timestamp: '2026-02-30T10:00:00Z' }, 'timestamp is not a valid date and time'],
    ['timestamp hour 24', { timestamp: '2026-02-10T24:00:00Z' }, 'timestamp is not a valid date and time'],
    ['timestamp month 13', { timestamp: '2026-13-10T10:00:00Z' }, 'timestamp is not a valid date and time'],
    ['timestamp leap day', { timestamp: '2024-02-29T10:00:00Z' }, undefined],
    ['timestamp leap day of a common year', { timestamp: '2025-02-29T10:00:00Z' }, 'timestamp is not a valid date and time'],
    ['timestamp bad offset', { timestamp: '2026-02-10T10:00:00+25:00' }, 'timestamp has an invalid time zone offset'],
    ['timestamp as epoch seconds', { timestamp: 1_700_000_000 }, 'timestamp is before 1990-01-01 (epoch milliseconds expected)'],
    ['timestamp fractional ms', { timestamp: 1_700_000_000_000.5 }, 'timestamp must be a non-negative integer of epoch milliseconds'],
    ['timestamp negative', { timestamp: -1 }, 'timestamp must be a non-negative integer of epoch milliseconds'],
    ['timestamp as a boolean', { timestamp: true }, 'timestamp must be an ISO-8601 string or epoch milliseconds'],
    ['timestamp digits as a string', { timestamp: '1700000000000' }, 'timestamp is not ISO-8601 with a time zone (e.g. 2026-11-24T13:45:00Z)'],
    ['timestamp before 1990', { timestamp: '1989-12-31T23:59:59Z' }, 'timestamp is before 1990-01-01 (epoch milliseconds expected)'],
    ['timestamp at the lower bound', { timestamp: MIN_EVENT_TIME }, undefined],
    ['timestamp two days after the record', { timestamp: '2026-11-26T12:00:01Z' }, 'timestamp is more than 24 hours after the Kafka record time'],
    ['timestamp within a day after the record', { timestamp: '2026-11-25T11:59:59Z' }, undefined],
    // event_id
    ['event_id a number', { event_id: 17 }, 'event_id must be a string'],
    ['event_id empty', { event_id: '' }, `event_id must be 1-${MAX_EVENT_ID_LENGTH} characters`],
    ['event_id too long', { event_id: 'x'.repeat(MAX_EVENT_ID_LENGTH + 1) }, `event_id must be 1-${MAX_EVENT_ID_LENGTH} characters`],
    ['event_id at the maximum length', { event_id: 'x'.repeat(MAX_EVENT_ID_LENGTH) }, undefined],
    ['event_id with a space', { event_id: 'a b' }, 'event_id must be printable ASCII without spaces'],
    ['event_id with unicode', { event_id: 'évènement' }, 'event_id must be printable ASCII without spaces'],
    ['event_id a UUID', { event_id: '5f0c2a4e-9b1d-4c3e-8f7a-2b6d9e1c0a53' }, undefined],
    // extra fields are ignored for forward compatibility
    ['an unknown extra field', { source: 'mobile' }, undefined],
  ])('%s', (_name, fields, reason) => {
    expect(reasonFor(fields)).toBe(reason);
  });

  it('skips the future check when the Kafka timestamp is unknown', () => {
    expect(reasonFor({ timestamp: '2090-01-01T00:00:00Z' }, { ...origin, timestamp: -1 })).toBeUndefined();
  });

  it('derives the event id from topic, partition and offset when it is missing or null', () => {
    for (const event_id of [undefined, null]) {
      const r = validateEvent({ ...base, event_id }, origin);
      expect(r.ok && r.event.eventId).toBe('user-events-3-1234');
    }
    const again = validateEvent({ ...base, event_id: undefined, rating: 1 }, origin);
    expect(again.ok && again.event.eventId).toBe('user-events-3-1234');
    const other = validateEvent({ ...base, event_id: undefined }, { ...origin, offset: 1235 });
    expect(other.ok && other.event.eventId).toBe('user-events-3-1235');
  });
});

describe('parseTimestamp', () => {
  it('gives the same instant for every form of it', () => {
    const instant = Date.UTC(2026, 10, 24, 13, 45);
    for (const form of ['2026-11-24T13:45:00Z', '2026-11-24T13:45Z', '2026-11-24T15:45:00+02:00', '2026-11-24T08:15:00-0530', instant]) {
      expect(parseTimestamp(form)).toBe(instant);
    }
  });
});

describe('properties', () => {
  const validEvent = fc.record({
    event_id: fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
    type: fc.constant('rating'),
    user_id: fc.integer({ min: 1, max: MAX_ID }),
    movie_id: fc.integer({ min: 1, max: MAX_ID }),
    rating: fc.integer({ min: 1, max: 10 }).map((n) => n / 2),
    timestamp: fc.integer({ min: MIN_EVENT_TIME, max: origin.timestamp }),
  });

  it('accepts every valid event and keeps its fields', () => {
    fc.assert(
      fc.property(validEvent, (e) => {
        const r = parseRecordValue(b64(JSON.stringify(e)), origin);
        expect(r).toEqual({
          ok: true,
          event: { eventId: e.event_id, userId: e.user_id, movieId: e.movie_id, rating: e.rating, eventTime: e.timestamp },
        });
      }),
    );
  });

  it('accepts the ISO-8601 form of every valid epoch time', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_EVENT_TIME, max: origin.timestamp }), (ms) => {
        expect(parseTimestamp(new Date(ms).toISOString())).toBe(ms);
      }),
    );
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = parseRecordValue(Buffer.from(bytes).toString('base64'), origin);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects every value of a field that breaks its rule, whatever the rest', () => {
    fc.assert(
      fc.property(
        validEvent,
        fc.constantFrom('user_id', 'movie_id', 'rating', 'timestamp', 'type'),
        fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.double({ min: -1e9, max: 0.4 }), fc.array(fc.nat())),
        (e, field, bad) => {
          fc.pre(!(field === 'type' && bad === 'rating'));
          const r = validateEvent({ ...e, [field]: bad }, origin);
          expect(r.ok).toBe(false);
        },
      ),
    );
  });
});
