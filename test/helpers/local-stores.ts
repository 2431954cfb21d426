import { join } from 'node:path';
import type { Logger } from '../../lambdas/core/ports';
import { openDatabase, type Db } from '../../local/sqlite/database';
import { SqliteEventLake } from '../../local/sqlite/sqlite-event-lake';
import { SqliteFeatureStore } from '../../local/sqlite/sqlite-feature-store';
import { SqliteModelStore } from '../../local/sqlite/sqlite-model-store';

export interface RecordingLogger extends Logger {
  lines: { level: string; message: string; data?: Record<string, unknown> }[];
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  const at = (level: string) => (message: string, data?: Record<string, unknown>) => lines.push({ level, message, data });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** The SQLite adapters over a real database file in `dir`. */
export function sqliteStores(dir: string): {
  db: Db;
  lake: SqliteEventLake;
  features: SqliteFeatureStore;
  models: SqliteModelStore;
} {
  const db = openDatabase(join(dir, 'movierec.db'));
  return { db, lake: new SqliteEventLake(db), features: new SqliteFeatureStore(db), models: new SqliteModelStore(db) };
}
