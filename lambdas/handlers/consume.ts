/**
 * The consumer of `user-events`: one MSK batch in, bronze and quarantine objects and online
 * features out. A bad record is quarantined and never fails the batch; a storage failure does, so
 * that Lambda (or the local event source) delivers the batch again, and a redelivery changes nothing.
 */
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { parseRecordValue, type RatingEvent, type RecordOrigin } from '../core/event-contract';
import { applyRatings, ratingKey } from '../core/features';
import type { EventPosition } from '../core/kafka-offsets';
import type { BronzeRecord, EventLake, FeatureStore, Logger, QuarantineRecord } from '../core/ports';
import { lakeObjectIdOf } from '../core/lake/lake-layout';

export interface ConsumeCounts {
  received: number;
  /** Changed a (user, movie) rating and the features. */
  applied: number;
  /** Already reflected: the rating held has the same time and value (a redelivery, or a resend). */
  duplicate: number;
  /** Older than the rating held for its (user, movie): kept in bronze, no effect online. */
  superseded: number;
  quarantined: number;
}

export interface ConsumeDeps {
  lake: EventLake;
  features: FeatureStore;
  logger: Logger;
}

/** The subset of an MSK event the consumer reads; a real MSKEvent satisfies it. */
export type ConsumeEvent = Pick<MSKEvent, 'records'>;

export function createConsumeHandler(deps: ConsumeDeps): (event: ConsumeEvent) => Promise<ConsumeCounts> {
  return async (event) => {
    const counts: ConsumeCounts = { received: 0, applied: 0, duplicate: 0, superseded: 0, quarantined: 0 };
    const events: RatingEvent[] = [];
    const positions: EventPosition[] = [];
    const writes: Promise<void>[] = [];
    let batchTime = 0;

    for (const key of Object.keys(event.records ?? {}).sort()) {
      const records = [...(event.records[key] ?? [])].sort((a, b) => a.offset - b.offset);
      if (records.length === 0) continue;
      const bronze: BronzeRecord[] = [];
      const quarantine: QuarantineRecord[] = [];
      for (const record of records) {
        batchTime = Math.max(batchTime, record.timestamp);
        const result = parseRecordValue(record.value, origin(record));
        if (result.ok) bronze.push({ offset: record.offset, event: result.event });
        else quarantine.push(quarantineRecord(record, result.reason));
      }
      counts.received += records.length;
      counts.quarantined += quarantine.length;
      const first = records[0]!;
      const source = `${first.topic}:${first.partition}`;
      for (const r of bronze) {
        events.push(r.event);
        positions.push({ source, offset: r.offset });
      }

      const id = lakeObjectIdOf(records);
      if (bronze.length > 0) writes.push(deps.lake.writeBronze(id, bronze));
      if (quarantine.length > 0) {
        writes.push(deps.lake.writeQuarantine(id, quarantine));
        deps.logger.warn('records quarantined', {
          topic: id.topic,
          partition: id.partition,
          reasons: summarise(quarantine),
        });
      }
    }
    await Promise.all(writes);

    if (events.length > 0) {
      const snapshot = await deps.features.readSnapshot({
        userIds: unique(events.map((e) => e.userId)),
        movieIds: unique(events.map((e) => e.movieId)),
        pairs: [...new Map(events.map((e) => [ratingKey(e.userId, e.movieId), e])).values()],
      });
      const { changes, outcomes } = applyRatings(snapshot, events, batchTime, positions);
      for (const o of outcomes) counts[o]++;
      if (changes.ratings.length > 0) await deps.features.writeChanges(changes);
    }

    deps.logger.debug('batch consumed', { ...counts });
    return counts;
  };
}

function origin(record: MSKRecord): RecordOrigin {
  return { topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp };
}

function quarantineRecord(record: MSKRecord, reason: string): QuarantineRecord {
  return {
    offset: record.offset,
    timestamp: record.timestamp,
    reason,
    value: typeof record.value === 'string' ? record.value : null,
    key: typeof record.key === 'string' ? record.key : null,
  };
}

/** Reason counts for the log line: reasons only, never payloads. */
function summarise(records: readonly QuarantineRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.reason] = (out[r.reason] ?? 0) + 1;
  return out;
}

function unique(values: readonly number[]): number[] {
  return [...new Set(values)];
}
