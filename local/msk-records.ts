/** Kafka records as the MSK event source hands them to a function, for the local event sources. */
import type { MSKEvent, MSKRecord } from 'aws-lambda';

/** Where a record lies in its topic, and its Kafka time. */
export interface RecordPosition {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

/** A record with its key and value base64-encoded, as the event source gives them; no key is ''. */
export function mskRecord(at: RecordPosition, key: string | Buffer | null, value: string | Buffer | null): MSKRecord {
  return {
    topic: at.topic,
    partition: at.partition,
    offset: at.offset,
    timestamp: at.timestamp,
    timestampType: 'CREATE_TIME',
    key: key === null ? '' : Buffer.from(key).toString('base64'),
    value: value === null ? '' : Buffer.from(value).toString('base64'),
    headers: [],
  };
}

/** Records as one event, grouped by topic and partition (`topic-partition`) in the order given. */
export function mskEvent(source: { eventSourceArn: string; bootstrapServers: string }, records: readonly MSKRecord[]): MSKEvent {
  const grouped: Record<string, MSKRecord[]> = {};
  for (const r of records) (grouped[`${r.topic}-${r.partition}`] ??= []).push(r);
  return { eventSource: 'aws:kafka', ...source, records: grouped };
}
