import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openDatabase, type Db } from '../../../local/sqlite/database';
import { SqliteModelStore } from '../../../local/sqlite/sqlite-model-store';
import { describeModelStoreContract } from '../../helpers/model-store-contract';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describeModelStoreContract('SqliteModelStore (gold tables in a database file)', async () => {
  const db = openDatabase(join(tempDir(), 'movierec.db'));
  open.push(db);
  return new SqliteModelStore(db);
});
