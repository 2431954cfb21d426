import { join } from 'node:path';
import { openDatabase } from './local/sqlite/database';
import { SqliteFeatureStore } from './local/sqlite/sqlite-feature-store';
import { SqliteModelStore } from './local/sqlite/sqlite-model-store';
import { indexModel } from './lambdas/core/model';
import { recommendForUser } from './lambdas/core/recommender';
const db = openDatabase(join('/tmp/rec-7DfyUd', 'movierec.db'));
const f = new SqliteFeatureStore(db); const m = new SqliteModelStore(db);
const model = indexModel(await m.load((await m.activeVersion())!));
const users = db.prepare('SELECT user_id, COUNT(*) n FROM ratings GROUP BY user_id ORDER BY n DESC').all() as {user_id: number; n: number}[];
for (const u of users.slice(0, 300)) recommendForUser(model, await f.getUserProfile(u.user_id), { limit: 10 });
for (const idx of [0, 50, 200, 1000, 5000, 10000]) {
  const { user_id, n } = users[idx]!;
  let a = 0, b = 0;
  for (let k = 0; k < 20; k++) {
    let t = performance.now(); const p = await f.getUserProfile(user_id); a += performance.now() - t;
    t = performance.now(); recommendForUser(model, p, { limit: 10 }); b += performance.now() - t;
  }
  console.log('rank', idx, 'ratings', n, 'profile', (a / 20).toFixed(3), 'ms; recommend', (b / 20).toFixed(3), 'ms');
}
