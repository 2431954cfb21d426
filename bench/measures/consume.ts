/**
 * Consume throughput: the consume handler over the SQLite adapters, fed MSK batches of 1,000
 * events of the workload. Only the handler's time counts; building each batch (the producer's
 * work) does not.
 */
import { join } from 'node:path';
import { createConsumeHandler } from '../../lambdas/handlers/consume';
import { EmbeddedProducer, messageFor } from '../../local/embedded-producer';
import { openDatabase } from '../../local/sqlite/database';
import { SqliteEventLake } from '../../local/sqlite/sqlite-event-lake';
import { SqliteFeatureStore } from '../../local/sqlite/sqlite-feature-store';
import { eventAt, type Workload } from '../workload';

export const MSK_BATCH = 1000;
const SILENT = { info() {}, warn() {}, error() {} };

/** Consumes the first `count` events into a fresh database in `dir`; returns events per second. */
export async function measureConsume(w: Workload, count: number, dir: string): Promise<number> {
  const db = openDatabase(join(dir, 'consume.db'));
  try {
    const features = new SqliteFeatureStore(db);
    await features.upsertMovies(w.movies);
    const consume = createConsumeHandler({ lake: new SqliteEventLake(db), features, logger: SILENT });
    const producer = new EmbeddedProducer(db);
    let spent = 0;
    for (let start = 0; start < count; start += MSK_BATCH) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + MSK_BATCH); i++) messages.push(messageFor(eventAt(w, i)));
      // Kafka time is when the batch is produced: after its events happened.
      const [batch] = producer.batches(messages, MSK_BATCH, w.times[start + messages.length - 1]!);
      const started = performance.now();
      const counts = await consume(batch!);
      spent += performance.now() - started;
      if (counts.quarantined > 0) throw new Error(`the workload's events were quarantined: ${JSON.stringify(counts)}`);
    }
    return count / (spent / 1000);
  } finally {
    db.close();
  }
}
