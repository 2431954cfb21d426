import { SqliteModelStore } from '../../../local/sqlite/sqlite-model-store';
import { describeModelStoreContract } from '../../helpers/model-store-contract';
import { useDatabase } from '../../helpers/local-stores';

const database = useDatabase();

describeModelStoreContract('SqliteModelStore (gold tables in a database file)', async () => new SqliteModelStore(database()));
