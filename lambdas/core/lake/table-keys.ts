/**
 * The key schema of each DynamoDB table, as the adapters read and write them. The CDK stack and the
 * tests' dynalite tables are made from these, so that neither can drift from the code.
 */
export type TableRole = 'users' | 'movies' | 'models' | 'runs';

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export const TABLE_KEYS: Record<TableRole, { partitionKey: KeyAttribute; sortKey?: KeyAttribute }> = {
  /** A user's ratings (sort key: movie id) and, at movie id 0, the user's features. */
  users: { partitionKey: { name: 'userId', type: 'N' }, sortKey: { name: 'movieId', type: 'N' } },
  /** Catalog entry and features per movie; the global statistics at movie id 0. */
  movies: { partitionKey: { name: 'movieId', type: 'N' } },
  /** The model version pointer. */
  models: { partitionKey: { name: 'pk', type: 'S' } },
  /** The batch run log: every run of a date, by the time it was recorded. */
  runs: { partitionKey: { name: 'date', type: 'S' }, sortKey: { name: 'recordedAt', type: 'S' } },
};
