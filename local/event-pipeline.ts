/**
 * The local consumer path: every event source (the embedded producer, POST /events, kafkajs) hands
 * MSK-shaped batches to the same consume handler, one batch at a time, as one Lambda per
 * partition would. `drain` waits for the batches under way, so a shutdown loses nothing.
 */
import type { MSKEvent } from 'aws-lambda';
import { setImmediate } from 'node:timers/promises';
import type { ConsumeCounts, ConsumeEvent } from '../lambdas/handlers/consume';
import { EmbeddedProducer, messageFor } from './embedded-producer';

export type Consume = (event: ConsumeEvent) => Promise<ConsumeCounts>;

export class EventPipeline {
  private tail: Promise<unknown> = Promise.resolve();
  /** What the batches consumed since this pipeline started, by outcome. */
  readonly totals: ConsumeCounts = emptyCounts();

  constructor(
    private readonly consume: Consume,
    private readonly producer: EmbeddedProducer,
  ) {}

  /** Consumes one MSK batch after those already queued. */
  async submit(event: ConsumeEvent): Promise<ConsumeCounts> {
    const counts = await this.exclusive(() => this.consume(event));
    addCounts(this.totals, counts);
    return counts;
  }

  /**
   * Runs `work` alone, after the batches and work already queued: a daily batch step run by the
   * server never interleaves its writes with a consumer batch's transaction.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    // SQLite calls are synchronous: yielding between batches lets signals and requests through.
    const run = this.tail.then(() => setImmediate()).then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Produces event objects onto the embedded topic and consumes them; returns the summed counts. */
  async publish(events: readonly unknown[]): Promise<ConsumeCounts> {
    const batches: MSKEvent[] = this.producer.batches(events.map(messageFor));
    const results = await Promise.all(batches.map((b) => this.submit(b)));
    return sumCounts(results);
  }

  async drain(): Promise<void> {
    await this.tail;
  }
}

export function sumCounts(all: readonly ConsumeCounts[]): ConsumeCounts {
  const total = emptyCounts();
  for (const c of all) addCounts(total, c);
  return total;
}

function emptyCounts(): ConsumeCounts {
  return { received: 0, applied: 0, duplicate: 0, superseded: 0, quarantined: 0 };
}

function addCounts(total: ConsumeCounts, c: ConsumeCounts): void {
  for (const k of Object.keys(total) as (keyof ConsumeCounts)[]) total[k] += c[k];
}
