import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { openDatabase } from '/work/main/local/sqlite/database';
import { DATABASE_FILE } from '/work/main/local/system';
import { fillOnlineRatings, loadLake } from '/work/main/bench/measures/full-scale';
import { measureModelLoad, measureRecommend } from '/work/main/bench/measures/serving';
import { generateWorkload, PRESETS } from '/work/main/bench/workload';
const preset = process.env.FULL ? { users: 20000, movies: 10000, ratings: 2_000_000 } : PRESETS.small;
const w = generateWorkload(preset);
const dir = process.env.DIR ?? mkdtempSync(join(tmpdir(), 'rec-'));
const date = new Date(w.times[w.count - 1]!).toISOString().slice(0, 10);
if (!process.env.DIR) {
  await loadLake(w, dir, () => {});
  const r = spawnSync(process.execPath, ['--import', 'tsx', '/work/main/bench/batch-child.ts', dir, date], { encoding: 'utf8' });
  console.log(r.stdout.trim());
  const db0 = openDatabase(join(dir, DATABASE_FILE)); fillOnlineRatings(db0, date); db0.close();
  console.log('DIR', dir);
}
const db = openDatabase(join(dir, DATABASE_FILE));
console.log('model load ms', await measureModelLoad(db));
console.log(await measureRecommend(db, preset.users, Number(process.env.N ?? 5000), 1));
