/**
 * Checkpoints a database's WAL from a worker thread, so that copying the WAL's pages into the
 * database file (and its two fsyncs) runs beside the writer instead of inside one of its commits.
 * Checkpointed by the writer alone, a consumer of a 10M-rating folder stopped for 1.3 s or so every
 * 30,000 events, and its event loop (the HTTP API's too) with it; beside the worker, its slowest
 * batch of 1,000 took 0.1 to 0.25 s.
 *
 * The worker's checkpoints are PASSIVE: they never wait for the writer or a reader, and copy only
 * frames no reader still needs. SQLite starts the WAL over only when a write finds every frame
 * copied, which a busy writer rarely lets the worker reach, so the writer keeps its own automatic
 * checkpoint (wal_autocheckpoint, see openDatabase) as well: it then finds nearly every frame
 * copied already, and it still bounds the WAL should the worker fall behind or fail.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../lambdas/core/ports';

export interface BackgroundCheckpoints {
  /** Waits for a checkpoint under way, then closes the worker's connection and ends it. */
  stop(): Promise<void>;
}

interface WorkerData {
  driver: string;
  file: string;
  busyMs: number;
  idleMs: number;
}

/** The worker's polling: again at once while it copies, then less and less often while idle. */
const BUSY_MS = 5;
const IDLE_MS = 1000;

/**
 * The worker, as source: a worker thread runs plain JavaScript, without the TypeScript loader the
 * rest of the process may have. `wal_checkpoint` returns how many of the WAL's frames the database
 * file holds (`checkpointed`): when that moved, there may be more to copy at once.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let db;
let wait = workerData.busyMs;
let copiedBefore = 0;
let timer;
const checkpoint = () => {
  try {
    db ??= new (require(workerData.driver))(workerData.file, { fileMustExist: true });
    const [{ checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
    const copied = checkpointed !== copiedBefore;
    copiedBefore = checkpointed;
    wait = copied ? 0 : Math.min(workerData.idleMs, Math.max(workerData.busyMs, wait * 2));
    timer = setTimeout(checkpoint, wait);
  } catch (err) {
    // Told as a text: the driver's errors lose their message on their way out of a worker.
    parentPort.postMessage(String(err && err.message || err));
  }
};
parentPort.once('message', () => {
  clearTimeout(timer);
  db?.close();
  parentPort.close();
});
checkpoint();
`;

/**
 * Starts checkpointing `file` (a WAL-mode database another connection writes) in a worker thread.
 * A worker that fails is logged, and the writer's own checkpoints go on alone.
 */
export function startBackgroundCheckpoints(file: string, logger: Logger): BackgroundCheckpoints {
  const workerData: WorkerData = {
    driver: createRequire(import.meta.url).resolve('better-sqlite3'),
    file,
    busyMs: BUSY_MS,
    idleMs: IDLE_MS,
  };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
  // The process may exit while the worker sleeps: a checkpoint left undone is the next one's work.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const failed = (error: string) => logger.warn('background checkpoints stopped: the writer checkpoints alone', { file, error });
  // The worker's only message is its failure; after it, the worker waits to be stopped.
  worker.on('message', failed);
  worker.on('error', (err) => failed(err instanceof Error ? err.message : JSON.stringify(err)));
  return {
    stop: async () => {
      // Held until it ends: an unreferenced worker would let the process exit while awaiting it.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
