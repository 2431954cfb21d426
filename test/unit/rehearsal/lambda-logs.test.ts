import { describe, expect, it } from 'vitest';
import { applicationLine, platformLines } from '../../../rehearsal/lambda-logs';

const json = (o: object) => JSON.stringify(o);
const at = (level: string) => json({ level, message: 'm', timestamp: '2026-12-01T10:00:00.000Z' });
const EMF = json({ _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [['service']], Metrics: [{ Name: 'EventsApplied' }] }] }, service: 's', EventsApplied: 3 });

describe("what Lambda keeps of a function's output", () => {
  it('keeps a JSON line at or above the application level, by its own level', () => {
    const warn = { application: 'WARN', system: 'WARN' };
    expect(applicationLine(at('ERROR'), 'stdout', warn).kept).toBe(true);
    expect(applicationLine(at('WARN'), 'stdout', warn).kept).toBe(true);
    expect(applicationLine(at('INFO'), 'stdout', warn).kept).toBe(false);
    expect(applicationLine(at('debug'), 'stdout', { application: 'DEBUG' }).kept).toBe(true);
  });

  it('counts a line without a valid level and timestamp as INFO: a metric document is dropped above INFO', () => {
    expect(applicationLine(EMF, 'stdout', { application: 'WARN' }).kept).toBe(false);
    expect(applicationLine(EMF, 'stdout', { application: 'INFO' }).kept).toBe(true);
    expect(applicationLine(json({ level: 'ERROR', message: 'no time' }), 'stdout', { application: 'WARN' }).kept).toBe(false);
    expect(applicationLine(json({ level: 'LOUD', timestamp: '2026-12-01T10:00:00Z' }), 'stdout', { application: 'WARN' }).kept).toBe(false);
  });

  it("wraps a plain line in Lambda's JSON, counts it at INFO on stdout and WARN on stderr, and filters nothing in the text format", () => {
    const plain = 'a plain line';
    const line = applicationLine(plain, 'stdout', { application: 'INFO' });
    expect(line.kept).toBe(true);
    expect(line.bytes).toBeGreaterThan(plain.length + 60);
    expect(applicationLine(plain, 'stdout', { application: 'WARN' }).kept).toBe(false);
    expect(applicationLine(plain, 'stderr', { application: 'WARN' }).kept).toBe(true);
    expect(applicationLine(at('TRACE'), 'stdout', {})).toEqual({ kept: true, bytes: at('TRACE').length });
  });

  it("writes an invocation's start and report lines at INFO, kept unless the system level is above it", () => {
    const lines = platformLines({ application: 'INFO', system: 'INFO' }, { durationMs: 12.345, memoryMb: 1024, traced: false });
    expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['platform.start', 'platform.report']);
    expect(JSON.parse(lines[1]!)).toMatchObject({ record: { metrics: { durationMs: 12.35, billedDurationMs: 13, memorySizeMB: 1024 }, status: 'success' } });
    expect(platformLines({ application: 'INFO', system: 'WARN' }, { durationMs: 1, memoryMb: 128, traced: false })).toEqual([]);
    const traced = platformLines({}, { durationMs: 1, memoryMb: 128, traced: true });
    expect(traced[1]!.length).toBeGreaterThan(lines[1]!.length);
  });
});
