/**
 * What the console, `status` and the operations routes show of the local system: batch runs with
 * their steps, quarantined records and their reasons, and the counts of the catalog and the lake.
 */
import type { ModelManifest } from '../../lambdas/core/model';
import type { ModelMeasure } from '../../lambdas/core/model-measure';
import type { GateVerdict } from '../../lambdas/core/quality-gate';
import type { ModelStore } from '../../lambdas/core/ports';
import type { BatchState } from '../../lambdas/handlers/batch/batch-state';
import type { BatchStep } from '../batch-runner';
import type { Db } from './database';

export interface RunSummary {
  runId: number;
  date: string;
  status: 'succeeded' | 'failed';
  recordedAt: string;
  modelVersion: string | null;
  activated: boolean;
  error: string | null;
  cause: string | null;
  steps: BatchStep[];
  /** `trainedOn`: the date whose silver trained the item weights (the run's own, or the last training day's for a refreshed model). */
  model: (ModelManifest['counts'] & { trainedOn: string; trainingSeconds: number; measureSeconds: number }) | null;
  /** The model's offline measure on the batch's holdout; null for runs before the gate, whose measure differed. */
  evaluation: ModelMeasure | null;
  /** The quality gate's verdict; null for runs before it. */
  gate: GateVerdict | null;
  /** Whether gold holds the run's model: not when the gate refused a model of the serving model's own date. */
  modelWritten: boolean;
  outputs: Record<string, unknown>;
}

export interface ReasonCount {
  reason: string;
  count: number;
}

export interface QuarantineListing {
  total: number;
  byReason: ReasonCount[];
  items: { objectKey: string; offset: number; time: string; reason: string; value: string | null }[];
}

export interface SystemStatus {
  modelVersion: string | null;
  catalog: { movies: number; users: number; ratings: number };
  lake: { bronzeEvents: number; quarantined: number; objects: number };
  /** `ndcg`: the served blend's on the run's holdout; `heldBack`: why the run's model does not serve, if the gate refused it. */
  lastRuns: { date: string; status: string; recordedAt: string; modelVersion: string | null; ndcg: number | null; heldBack: string | null }[];
  quarantineByReason: ReasonCount[];
}

/** A quarantined value shown as text: the first characters of its UTF-8, or its base64 when it is not text. */
const SHOWN_CHARS = 2000;

interface RunRow {
  run_id: number;
  dt: string;
  status: 'succeeded' | 'failed';
  error: string | null;
  cause: string | null;
  details: string;
  recorded_at: string;
  steps: string | null;
}

type RunDetails = Partial<Pick<BatchState, 'gold' | 'publish'>>;

export class SqliteOperationsReads {
  private readonly stmt;

  constructor(
    db: Db,
    private readonly models: ModelStore,
  ) {
    this.stmt = {
      runs: db.prepare<[number], RunRow>('SELECT * FROM batch_runs ORDER BY run_id DESC LIMIT ?'),
      reasons: db.prepare<[], ReasonCount>('SELECT reason, COUNT(*) AS count FROM quarantine_records GROUP BY reason ORDER BY count DESC, reason'),
      quarantine: db.prepare<[number], { object_key: string; kafka_offset: number; kafka_timestamp: number; reason: string; value: string | null }>(
        'SELECT object_key, kafka_offset, kafka_timestamp, reason, value FROM quarantine_records ORDER BY kafka_timestamp DESC, object_key DESC, kafka_offset DESC LIMIT ?',
      ),
      counts: db.prepare<[], { movies: number; users: number; ratings: number }>(
        `SELECT (SELECT COUNT(*) FROM movies) AS movies, (SELECT COUNT(*) FROM user_features) AS users,
                (SELECT rating_count FROM global_stats WHERE id = 1) AS ratings`,
      ),
      lake: db.prepare<[], { bronzeEvents: number | null; quarantined: number | null; objects: number }>(
        `SELECT SUM(CASE WHEN area = 'events' THEN record_count END) AS bronzeEvents,
                SUM(CASE WHEN area = 'quarantine' THEN record_count END) AS quarantined, COUNT(*) AS objects
         FROM lake_objects`,
      ),
    };
  }

  runs(limit: number): RunSummary[] {
    return this.stmt.runs.all(limit).map((r) => {
      const details = JSON.parse(r.details) as RunDetails & Record<string, unknown>;
      const gold = details.gold;
      return {
        runId: r.run_id,
        date: r.dt,
        status: r.status,
        recordedAt: r.recorded_at,
        modelVersion: gold?.version ?? null,
        activated: details.publish?.activated ?? false,
        error: r.error,
        cause: r.cause,
        steps: r.steps ? (JSON.parse(r.steps) as BatchStep[]) : [],
        model: gold ? { ...gold.counts, trainedOn: gold.trainedOn ?? r.dt, trainingSeconds: gold.trainingSeconds, measureSeconds: gold.measureSeconds ?? 0 } : null,
        evaluation: gold?.evaluation && 'hybrid' in gold.evaluation ? gold.evaluation : null,
        gate: gold?.gate ?? null,
        modelWritten: gold ? gold.written !== false : false,
        outputs: details,
      };
    });
  }

  quarantine(limit: number): QuarantineListing {
    const byReason = this.stmt.reasons.all();
    return {
      total: byReason.reduce((sum, r) => sum + r.count, 0),
      byReason,
      items: this.stmt.quarantine.all(limit).map((r) => ({
        objectKey: r.object_key,
        offset: r.kafka_offset,
        time: new Date(r.kafka_timestamp).toISOString(),
        reason: r.reason,
        value: r.value === null ? null : shown(r.value),
      })),
    };
  }

  async status(): Promise<SystemStatus> {
    const lake = this.stmt.lake.get()!;
    return {
      modelVersion: (await this.models.activeVersion()) ?? null,
      catalog: this.stmt.counts.get()!,
      lake: { bronzeEvents: lake.bronzeEvents ?? 0, quarantined: lake.quarantined ?? 0, objects: lake.objects },
      lastRuns: this.runs(5).map(({ date, status, recordedAt, modelVersion, evaluation, gate }) => ({
        date,
        status,
        recordedAt,
        modelVersion,
        ndcg: evaluation?.hybrid.ndcg ?? null,
        heldBack: gate && !gate.passed ? gate.reason : null,
      })),
      quarantineByReason: this.stmt.reasons.all(),
    };
  }
}

function shown(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).slice(0, SHOWN_CHARS);
  } catch {
    return `base64:${base64.slice(0, SHOWN_CHARS)}`;
  }
}
