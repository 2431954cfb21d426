import { SqliteFeatureStore } from '../../../local/sqlite/sqlite-feature-store';
import { describeFeatureStoreContract } from '../../helpers/feature-store-contract';
import { useDatabase } from '../../helpers/local-stores';

const database = useDatabase();

describeFeatureStoreContract('SqliteFeatureStore (a database file)', async () => new SqliteFeatureStore(database()));
