import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openDatabase, type Db } from '../../../local/sqlite/database';
import { SqliteFeatureStore } from '../../../local/sqlite/sqlite-feature-store';
import { describeFeatureStoreContract } from '../../helpers/feature-store-contract';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describeFeatureStoreContract('SqliteFeatureStore (a database file)', async () => {
  const db = openDatabase(join(tempDir(), 'movierec.db'));
  open.push(db);
  return new SqliteFeatureStore(db);
});
