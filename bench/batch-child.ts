/**
 * One run of the daily batch in a process of its own, so that its peak memory is its own: prints
 * {"status", "seconds", "steps": {state: seconds}, "peak_rss_mb"} as JSON on stdout. Arguments: the data
 * folder, the date, and `train` to train the model whatever the schedule says.
 */
import { join } from 'node:path';
import { runDailyBatch } from '../local/batch-runner';
import { openDatabase } from '../local/sqlite/database';
import { SqliteFeatureStore } from '../local/sqlite/sqlite-feature-store';
import { SqliteModelStore } from '../local/sqlite/sqlite-model-store';
import { batchHandlers, DATABASE_FILE } from '../local/system';

const [dataDir, date, train] = process.argv.slice(2) as [string, string, string | undefined];
const db = openDatabase(join(dataDir, DATABASE_FILE));
const started = performance.now();
const result = await runDailyBatch(
  batchHandlers(db, new SqliteFeatureStore(db), new SqliteModelStore(db), { now: () => new Date(`${date}T23:59:59Z`) }),
  { date, ...(train === 'train' ? { train: true } : {}) },
);
const seconds = (performance.now() - started) / 1000;
db.close();
process.stdout.write(
  `${JSON.stringify({
    status: result.status,
    error: result.error,
    seconds,
    steps: Object.fromEntries(result.steps.filter((s) => s.status === 'succeeded').map((s) => [s.state, s.seconds])),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
