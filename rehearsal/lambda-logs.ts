/**
 * What Lambda keeps of a function's output, in the JSON log format with log-level filtering: an
 * application line is kept when its level is at least the function's application log level, a line
 * that is not a JSON object with a valid `level` and `timestamp` counting as INFO (so the embedded
 * metric format's documents are INFO lines); Lambda's own start and report lines of each invocation
 * are INFO lines of the system log level. Without the JSON format, every line is kept.
 */
import { randomUUID } from 'node:crypto';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
type Level = (typeof LEVELS)[number];

/** What Lambda adds around a line that is not JSON: `{"timestamp", "level", "requestId", "message"}`. */
const WRAPPING_BYTES = `{"timestamp":"${new Date(0).toISOString()}","level":"INFO","requestId":"${randomUUID()}","message":""}`.length;

export interface LogLevels {
  /** Undefined: the text format, in which Lambda filters nothing. */
  application?: string;
  system?: string;
}

export interface KeptLine {
  kept: boolean;
  /** The bytes Lambda sends to CloudWatch Logs for it. */
  bytes: number;
}

/** Whether Lambda keeps an application line, and its size as stored. */
export function applicationLine(line: string, stream: 'stdout' | 'stderr', levels: LogLevels): KeptLine {
  const parsed = jsonObject(line);
  const bytes = Buffer.byteLength(line) + (parsed ? 0 : WRAPPING_BYTES);
  if (levels.application === undefined) return { kept: true, bytes };
  const level = parsed ? levelOf(parsed) : stream === 'stderr' ? 'WARN' : 'INFO';
  return { kept: rank(level) >= rank(levels.application), bytes };
}

/** Lambda's own lines of one invocation (platform.start and platform.report), those it keeps. */
export function platformLines(levels: LogLevels, invocation: { durationMs: number; memoryMb: number; traced: boolean }): string[] {
  if (levels.system !== undefined && rank('INFO') < rank(levels.system)) return [];
  const time = new Date().toISOString();
  const requestId = randomUUID();
  const durationMs = Math.round(invocation.durationMs * 100) / 100;
  const tracing = invocation.traced ? { tracing: { spanId: '0123456789abcdef', type: 'X-Amzn-Trace-Id', value: `Root=1-00000000-${'0'.repeat(24)};Parent=0123456789abcdef;Sampled=1` } } : {};
  return [
    JSON.stringify({ time, type: 'platform.start', record: { requestId, version: '$LATEST', ...tracing } }),
    JSON.stringify({
      time,
      type: 'platform.report',
      record: {
        requestId,
        metrics: { durationMs, billedDurationMs: Math.ceil(durationMs), memorySizeMB: invocation.memoryMb, maxMemoryUsedMB: Math.min(invocation.memoryMb, 100) },
        ...tracing,
        status: 'success',
      },
    }),
  ];
}

function jsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function levelOf(line: Record<string, unknown>): Level {
  const level = typeof line.level === 'string' ? line.level.toUpperCase() : '';
  const timestamp = typeof line.timestamp === 'string' && !Number.isNaN(Date.parse(line.timestamp));
  return timestamp && (LEVELS as readonly string[]).includes(level) ? (level as Level) : 'INFO';
}

function rank(level: string): number {
  const i = (LEVELS as readonly string[]).indexOf(level.toUpperCase());
  return i < 0 ? LEVELS.indexOf('INFO') : i;
}
