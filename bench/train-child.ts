/**
 * One training of the model in a process of its own, on a data folder's silver ratings of `date`,
 * with `headItems` movies in EASE's head: prints {"seconds", "peak_rss_mb"} as JSON on stdout.
 */
import { join } from 'node:path';
import { DEFAULT_NEIGHBOUR_PARAMS } from '../lambdas/core/item-neighbours';
import { trainModel } from '../lambdas/core/model';
import { openDatabase } from '../local/sqlite/database';
import { SqliteBatchLake } from '../local/sqlite/sqlite-batch-lake';
import { DATABASE_FILE } from '../local/system';

const [dataDir, date, head] = process.argv.slice(2) as [string, string, string];
const db = openDatabase(join(dataDir, DATABASE_FILE));
const lake = new SqliteBatchLake(db);
const [interactions, catalog] = await Promise.all([lake.readInteractions(date), lake.readCatalog()]);
db.close();
const started = performance.now();
trainModel({ interactions, catalog, date, params: { ...DEFAULT_NEIGHBOUR_PARAMS, headItems: Number(head) } });
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ seconds, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
