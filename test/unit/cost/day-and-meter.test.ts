import { describe, expect, it } from 'vitest';
import { DAY_MS, dayEvents, generateWorkload } from '../../../bench/workload';
import { mskBatches } from '../../../cost/day-workload';
import { accessLogRecordBytes, s3PriceClass } from '../../../cost/request-meter';
import { sampledTraces } from '../../../cost/simulated-day';
import { accessLogLine } from '../../../cost/template-facts';

const history = generateWorkload({ users: 200, movies: 50, ratings: 5_000 }, 3);
const DAY = Date.UTC(2026, 10, 24);

describe("a metered day's traffic", () => {
  it('draws the same events from the same seed, all within the day, in arrival order', () => {
    const events = dayEvents(history, 500, DAY, 9);
    expect(dayEvents(history, 500, DAY, 9)).toEqual(events);
    expect(events.every((e, i) => e.time >= DAY && e.time < DAY + DAY_MS && (i === 0 || e.time >= events[i - 1]!.time))).toBe(true);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(500);
  });

  it('groups events into batches as the event source does: a window from the first record, up to the batch size', () => {
    const at = (seconds: number[]) => seconds.map((s, i) => ({ time: DAY + s * 1000, userId: 1 + i, movieId: 1, rating: 4, eventId: `e${i}` }));
    const sizes = (batches: ReturnType<typeof mskBatches>) => batches.map((b) => Object.values(b.records).reduce((n, r) => n + r.length, 0));
    expect(sizes(mskBatches(at([0, 1, 4.9, 5, 30, 31]), 'user-events', 1000, 5))).toEqual([3, 1, 2]);
    expect(sizes(mskBatches(at([0, 0, 0, 0, 0]), 'user-events', 2, 5))).toEqual([2, 2, 1]);
    // One object of bronze per partition: the records of a batch keep their partitions and offsets.
    const [batch] = mskBatches(at([0, 1, 2, 3, 4]), 'user-events', 1000, 5);
    const offsets = Object.values(batch!.records).map((r) => r.map((x) => x.offset));
    for (const list of offsets) expect(list).toEqual(list.map((_, i) => list[0]! + i));
  });

  it("counts traces as Lambda samples an active function: each second's first invocation and 5% of the others", () => {
    expect(sampledTraces([0, 100, 200, 1500, 5000], 5)).toBeCloseTo(3 + 2 * 0.05, 10);
    expect(sampledTraces([], 7)).toBe(7);
  });

  it('prices S3 requests by class, and sizes the access log records S3 writes for them', () => {
    expect(s3PriceClass({ operation: 's3:PutObject', method: 'PUT' })).toBe('writes');
    expect(s3PriceClass({ operation: 's3:ListBucket', method: 'GET' })).toBe('writes');
    expect(s3PriceClass({ operation: 's3:GetObject', method: 'GET' })).toBe('reads');
    expect(s3PriceClass({ operation: 's3:GetObject', method: 'HEAD' })).toBe('reads');
    expect(s3PriceClass({ operation: 's3:DeleteObject', method: 'POST' })).toBe('deletes');
    const short = accessLogRecordBytes({ caller: 'consume', method: 'PUT', operation: 's3:PutObject', path: '/lake/k', status: 200, responseBytes: 0 });
    const long = accessLogRecordBytes({ caller: 'consume', method: 'PUT', operation: 's3:PutObject', path: `/lake/${'k'.repeat(100)}`, status: 200, responseBytes: 0 });
    expect(short).toBeGreaterThan(400);
    expect(long - short).toBe(2 * 99);
  });

  it("fills an access log format's $context variables as API Gateway does", () => {
    const line = accessLogLine('{"path":"$context.path","status":"$context.status","x":"$context.unknown"}', { method: 'GET', path: '/health', status: 200, latencyMs: 3 });
    expect(JSON.parse(line)).toEqual({ path: '/health', status: '200', x: '-' });
  });
});
