/**
 * Consume throughput: the consume handler over the SQLite adapters as the local system runs it
 * (one commit a batch, the WAL checkpointed by a worker beside it), fed MSK batches of 1,000
 * events, against a database that already holds the full workload (its ratings and features), so
 * that every lookup and write is at full scale. Only the consumer's time counts; building each
 * batch (the producer's work) does not.
 */
import { join } from 'node:path';
import { EmbeddedProducer, messageFor } from '../../local/embedded-producer';
import { startBackgroundCheckpoints } from '../../local/sqlite/background-checkpoints';
import { openDatabase } from '../../local/sqlite/database';
import { SqliteEventLake } from '../../local/sqlite/sqlite-event-lake';
import { SqliteFeatureStore } from '../../local/sqlite/sqlite-feature-store';
import { DATABASE_FILE, localConsumer } from '../../local/system';
import { eventAt, type Workload } from '../workload';

export const MSK_BATCH = 1000;
const SILENT = { debug() {}, warn() {}, error() {} };

/**
 * Consumes the first `count` events of `w` into the database in `dataDir`; returns the consumer's
 * seconds per batch, in order.
 */
export async function measureConsume(w: Workload, count: number, dataDir: string): Promise<number[]> {
  const file = join(dataDir, DATABASE_FILE);
  const db = openDatabase(file);
  const checkpoints = startBackgroundCheckpoints(file, SILENT);
  try {
    const consume = localConsumer(db, new SqliteEventLake(db), new SqliteFeatureStore(db), SILENT);
    const producer = new EmbeddedProducer(db);
    const seconds: number[] = [];
    for (let start = 0; start < count; start += MSK_BATCH) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + MSK_BATCH); i++) messages.push(messageFor(eventAt(w, i)));
      // Kafka time is when the batch is produced: after its events happened.
      const [batch] = producer.batches(messages, MSK_BATCH, w.times[start + messages.length - 1]!);
      const started = performance.now();
      const counts = await consume(batch!);
      seconds.push((performance.now() - started) / 1000);
      if (counts.quarantined > 0) throw new Error(`the workload's events were quarantined: ${JSON.stringify(counts)}`);
    }
    return seconds;
  } finally {
    await checkpoints.stop();
    db.close();
  }
}
