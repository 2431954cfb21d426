/**
 * The local server composed: the HTTP API over a LocalSystem, its metrics, the console's files, and
 * the daily batch that the console can start (one at a time, beside the requests).
 */
import type { Server } from 'node:http';
import type { Logger } from '../lambdas/core/ports';
import { runBatch, today } from './commands/batch';
import { consoleAssets } from './console/assets';
import { createHttpServer, type HttpServerDeps } from './http-server';
import { ServerMetrics } from './metrics';
import type { LocalSystem } from './system';

export interface LocalServer {
  server: Server;
  metrics: ServerMetrics;
  /** Runs the daily batch for today (UTC) now, with its progress on stdout; false when it failed. */
  runBatch(): Promise<boolean>;
  /** Resolves when no batch started by a request is running. */
  idle(): Promise<void>;
}

export function createLocalServer(system: LocalSystem, logger: Logger, timeouts?: HttpServerDeps['timeouts']): LocalServer {
  const metrics = new ServerMetrics({ events: () => system.pipeline.totals, modelVersion: () => system.models.activeVersion() });
  const batch = async () => {
    const started = performance.now();
    const result = await runBatch(system, today());
    metrics.batch(result, (performance.now() - started) / 1000);
    return result.status === 'succeeded';
  };
  let running: Promise<unknown> | undefined;
  const server = createHttpServer({
    recommend: system.recommend,
    publish: (events) => system.pipeline.publish(events),
    operations: {
      runs: async (limit) => ({
        modelVersion: (await system.models.activeVersion()) ?? null,
        running: running !== undefined,
        items: system.reads.runs(limit),
      }),
      startRun: () => {
        if (running) return undefined;
        running = batch()
          .catch((err: unknown) => logger.error('batch failed', { error: String(err) }))
          .finally(() => (running = undefined));
        return { date: today() };
      },
      quarantine: (limit) => system.reads.quarantine(limit),
      status: async () => ({ ...(await system.reads.status()), sinceStart: { ...system.pipeline.totals } }),
    },
    metrics,
    assets: consoleAssets(),
    onError: (err) => logger.error('request failed', { error: String(err) }),
    ...(timeouts ? { timeouts } : {}),
  });
  return { server, metrics, runBatch: batch, idle: async () => void (await running) };
}
