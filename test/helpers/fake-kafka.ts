/**
 * Stands in for a kafkajs consumer: no broker runs here. `deliver` hands it batches as a fetch
 * would; a partition's log, when given, is what `seek` reads from, batch by batch, as kafkajs
 * fetches after a seek (an offset the log no longer holds delivers nothing).
 */
import type { EachBatchPayload } from 'kafkajs';
import type { RangeConsumer } from '../../local/kafka-event-source';

export interface FakeMessage {
  offset: string;
  value: string | null;
  key?: string;
}

export class FakeConsumer implements RangeConsumer {
  calls: string[] = [];
  resolved: string[] = [];
  private eachBatch?: (payload: EachBatchPayload) => Promise<void>;

  constructor(
    /** The messages of each partition, by `<topic>-<partition>`. */
    private readonly logs: Record<string, FakeMessage[]> = {},
    private readonly fetchSize = 2,
  ) {}

  connect = async () => {
    this.calls.push('connect');
  };
  subscribe = async (s: Parameters<RangeConsumer['subscribe']>[0]) => {
    this.calls.push(`subscribe ${JSON.stringify(s)}`);
  };
  run = async (config?: Parameters<RangeConsumer['run']>[0]) => {
    this.calls.push(`run autoResolve=${String(config?.eachBatchAutoResolve)}`);
    this.eachBatch = config?.eachBatch;
  };
  seek = ({ topic, partition, offset }: { topic: string; partition: number; offset: string }) => {
    this.calls.push(`seek ${topic}-${partition} ${offset}`);
    const log = (this.logs[`${topic}-${partition}`] ?? []).filter((m) => Number(m.offset) >= Number(offset));
    const held = (this.logs[`${topic}-${partition}`] ?? []).some((m) => Number(m.offset) <= Number(offset));
    void (async () => {
      if (!held) return;
      for (let i = 0; i < log.length; i += this.fetchSize) await this.deliver(partition, log.slice(i, i + this.fetchSize), topic);
    })();
  };
  disconnect = async () => {
    this.calls.push('disconnect');
  };

  deliver(partition: number, messages: FakeMessage[], topic = 'user-events'): Promise<void> {
    const payload = {
      batch: {
        topic,
        partition,
        messages: messages.map((m) => ({
          offset: m.offset,
          timestamp: String(Date.UTC(2026, 10, 24)),
          key: m.key === undefined ? null : Buffer.from(m.key),
          value: m.value === null ? null : Buffer.from(m.value),
          attributes: 0,
          headers: {},
        })),
      },
      resolveOffset: (offset: string) => {
        this.resolved.push(offset);
      },
      heartbeat: async () => undefined,
    } as unknown as EachBatchPayload;
    return this.eachBatch!(payload);
  }
}
