/** A Logger for the local runtime: one line per entry on stderr, quiet below the chosen level. */
import type { Logger } from '../lambdas/core/ports';

export type LogLevel = 'debug' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 0, warn: 1, error: 2, silent: 3 };

export function parseLogLevel(value: string | undefined, fallback: LogLevel): LogLevel {
  if (value === undefined || value === '') return fallback;
  if (value in RANK) return value as LogLevel;
  throw new Error(`LOG_LEVEL must be one of ${Object.keys(RANK).join(', ')} (got ${JSON.stringify(value)})`);
}

export function consoleLogger(level: LogLevel): Logger {
  const write = (at: Exclude<LogLevel, 'silent'>) => (message: string, data?: Record<string, unknown>) => {
    if (RANK[at] < RANK[level]) return;
    process.stderr.write(`[${at}] ${message}${data ? ` ${JSON.stringify(data)}` : ''}\n`);
  };
  return { debug: write('debug'), warn: write('warn'), error: write('error') };
}
