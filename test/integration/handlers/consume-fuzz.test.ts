/**
 * 100,000 generated records through the parser and the consume handler over SQLite: random bytes,
 * wrong types, huge and negative numbers, unicode, missing fields, oversized values, duplicates and
 * out-of-order times, mixed with valid events. Nothing may crash, every record must be applied
 * once or quarantined with its reason and raw value, and the counts must reconcile exactly.
 */
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_VALUE_BYTES, parseRecordValue, type RatingEvent } from '../../../lambdas/core/event-contract';
import { createConsumeHandler, type ConsumeCounts } from '../../../lambdas/handlers/consume';
import { recordingLogger, sqliteStores } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

const RECORDS = 100_000;
const BATCH = 1000;
const NOW = Date.UTC(2026, 10, 24, 12);
const DAY = 24 * 60 * 60 * 1000;

const validEvent = fc.record({
  event_id: fc.option(fc.stringMatching(/^[a-z0-9-]{1,20}$/), { nil: undefined }),
  type: fc.constant('rating'),
  user_id: fc.integer({ min: 1, max: 300 }),
  movie_id: fc.integer({ min: 1, max: 200 }),
  rating: fc.integer({ min: 1, max: 10 }).map((h) => h / 2),
  // Out of order on purpose: anywhere in the last 60 days, as epoch ms or ISO text.
  timestamp: fc.integer({ min: NOW - 60 * DAY, max: NOW }).chain((t) => fc.constantFrom<number | string>(t, new Date(t).toISOString())),
});

const strange = fc.oneof(
  fc.constantFrom(0, -1, -0.5, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, 0.25, 5.5, 1e-7),
  fc.constantFrom('', 'NaN', 'Infinity', '１２', '٣', '4', 'null', '\u0000', '\ud83c\udfac', 'Ünïcødé 🎬'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** A record value: valid events, broken ones, and things that are not events at all. */
const recordValue: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 6, arbitrary: validEvent.map((e) => json(e)) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(validEvent, fc.constantFrom('event_id', 'type', 'user_id', 'movie_id', 'rating', 'timestamp', 'extra'), strange)
      .map(([e, field, value]) => json({ ...e, [field]: value })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(validEvent, fc.constantFrom('type', 'user_id', 'movie_id', 'rating', 'timestamp')).map(([e, field]) => {
      const copy: Record<string, unknown> = { ...e };
      delete copy[field];
      return json(copy);
    }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64')) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => json(v)) },
  { weight: 1, arbitrary: validEvent.map((e) => json(e).slice(0, 12)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<string | null>(
      null,
      '',
      'not base64!',
      json('x'.repeat(MAX_VALUE_BYTES + 1)),
      Buffer.from([0xff, 0xfe, 0xfd]).toString('base64'),
      json([{ type: 'rating' }]),
    ),
  },
);

function json(value: unknown): string {
  return Buffer.from(JSON.stringify(value) ?? 'undefined').toString('base64');
}

describe('consume fuzz: 100,000 generated records through the parser and the consume handler', () => {
  const tempDir = useTempDir();

  it('applies every valid record once, quarantines every other with its reason, and reconciles the counts', async () => {
    const values = fc.sample(recordValue, { numRuns: RECORDS, seed: 8 });
    // Duplicates: one record in twenty is sent again later under a new offset.
    const records: MSKRecord[] = [];
    let offset = 0;
    for (const [i, value] of values.entries()) {
      const again = i % 20 === 19 ? values[i - 10] : undefined;
      const v = again ?? value;
      records.push({
        topic: 'user-events',
        partition: i % 3,
        offset: offset++,
        timestamp: NOW + Math.floor(i / BATCH) * 1000,
        timestampType: 'CREATE_TIME',
        key: '',
        value: v as string,
        headers: [],
      });
    }

    // The parser alone: never throws, and says why it refuses.
    const parsed = records.map((r) => parseRecordValue(r.value, { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp }));
    for (const p of parsed) if (!p.ok) expect(p.reason).toMatch(/\w/);
    const validCount = parsed.filter((p) => p.ok).length;
    expect(validCount).toBeGreaterThan(RECORDS * 0.4);
    expect(RECORDS - validCount).toBeGreaterThan(RECORDS * 0.3);

    const stores = sqliteStores(tempDir());
    const consume = createConsumeHandler({ lake: stores.lake, features: stores.features, logger: recordingLogger() });
    const batches: MSKEvent[] = [];
    for (let start = 0; start < records.length; start += BATCH) {
      const byPartition: Record<string, MSKRecord[]> = {};
      for (const r of records.slice(start, start + BATCH)) (byPartition[`user-events-${r.partition}`] ??= []).push(r);
      batches.push({ eventSource: 'aws:kafka', eventSourceArn: 'fuzz', bootstrapServers: 'fuzz', records: byPartition });
    }
    const total: ConsumeCounts = { received: 0, applied: 0, duplicate: 0, superseded: 0, quarantined: 0 };
    for (const batch of batches) {
      const counts = await consume(batch);
      expect(counts.applied + counts.duplicate + counts.superseded + counts.quarantined).toBe(counts.received);
      for (const k of Object.keys(total) as (keyof ConsumeCounts)[]) total[k] += counts[k];
    }
    expect(total.received).toBe(RECORDS);
    expect(total.quarantined).toBe(RECORDS - validCount);

    // Quarantine keeps every refused record, its reason and its value exactly as received.
    const db = stores.db;
    const quarantined = db.prepare('SELECT reason, value FROM quarantine_records').all() as { reason: string; value: string | null }[];
    expect(quarantined.length).toBe(total.quarantined);
    const refused = records.filter((_, i) => !parsed[i]!.ok).map((r) => r.value ?? null);
    expect(quarantined.map((q) => q.value).sort()).toEqual(refused.sort());
    expect(quarantined.every((q) => q.reason.length > 0)).toBe(true);
    expect(db.prepare('SELECT COUNT(*) FROM bronze_events').pluck().get()).toBe(validCount);

    // Online: the latest rating per (user, movie), and features that add up to it.
    const latest = new Map<string, RatingEvent>();
    for (const p of parsed) {
      if (!p.ok) continue;
      const key = `${p.event.userId}:${p.event.movieId}`;
      const held = latest.get(key);
      if (!held || p.event.eventTime > held.eventTime || (p.event.eventTime === held.eventTime && p.event.eventId > held.eventId)) latest.set(key, p.event);
    }
    const ratings = db.prepare('SELECT user_id, movie_id, rating, event_time, event_id FROM ratings').all() as {
      user_id: number; movie_id: number; rating: number; event_time: number; event_id: string;
    }[];
    expect(ratings.length).toBe(latest.size);
    for (const r of ratings) {
      expect(latest.get(`${r.user_id}:${r.movie_id}`)).toEqual({ eventId: r.event_id, userId: r.user_id, movieId: r.movie_id, rating: r.rating, eventTime: r.event_time });
    }
    const mismatched = db
      .prepare(
        `SELECT COUNT(*) FROM user_features u JOIN (SELECT user_id, COUNT(*) n, SUM(rating) s FROM ratings GROUP BY user_id) r USING (user_id)
         WHERE u.rating_count != r.n OR abs(u.rating_sum - r.s) > 1e-9`,
      )
      .pluck()
      .get();
    expect(mismatched).toBe(0);
    const global = db.prepare('SELECT rating_count, rating_sum FROM global_stats').get() as { rating_count: number; rating_sum: number };
    expect(global.rating_count).toBe(latest.size);
    // Applied once: one application per distinct event that changed a pair's rating.
    expect(total.applied).toBeGreaterThanOrEqual(latest.size);
    expect(total.applied + total.duplicate + total.superseded).toBe(validCount);

    // A redelivery of everything changes nothing.
    const before = JSON.stringify(db.prepare('SELECT * FROM user_features ORDER BY user_id').all());
    let reapplied = 0;
    for (const batch of batches) reapplied += (await consume(batch)).applied;
    expect(reapplied).toBe(0);
    expect(JSON.stringify(db.prepare('SELECT * FROM user_features ORDER BY user_id').all())).toBe(before);
    db.close();
  }, 300_000);
});
