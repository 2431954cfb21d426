/**
 * Object keys of the data lake. S3 uses them as keys and SQLite as primary keys, so that a retried
 * batch rewrites the very same object in either store.
 */
import type { LakeObjectId } from './ports';

export type LakeArea = 'events' | 'quarantine';

/** `dt` and `hour` of a batch come from its first record's Kafka timestamp, so a retry keeps them. */
export function lakePartition(timestamp: number): { dt: string; hour: string } {
  const iso = new Date(Math.max(0, timestamp)).toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

export function lakeObjectKey(area: LakeArea, id: LakeObjectId): string {
  const { dt, hour } = lakePartition(id.timestamp);
  return `bronze/${area}/dt=${dt}/hour=${hour}/${id.topic}-${id.partition}-${id.firstOffset}-${id.lastOffset}.jsonl.gz`;
}
