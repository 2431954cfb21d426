import { describe, expect, it, vi } from 'vitest';
import { ArrivalOrder } from '../../../local/arrival-order';

describe('ArrivalOrder', () => {
  it('starts each in a turn of its own, in the order queued, those queued meanwhile last', async () => {
    const order = new ArrivalOrder();
    const log: string[] = [];
    order.enqueue(() => {
      log.push('a');
      // Queued while a runs: after b and c, which came before it.
      order.enqueue(() => log.push('d'));
      // An I/O callback of the next turn: it runs before c, so b and c did not share a turn.
      setImmediate(() => log.push('next turn'));
    });
    order.enqueue(() => log.push('b'));
    order.enqueue(() => log.push('c'));
    expect(log).toEqual([]);
    await vi.waitFor(() => expect(log).toHaveLength(5));
    expect(log).toEqual(['a', 'b', 'next turn', 'c', 'd']);
  });

  it('starts every one once, in order, when the queue never empties for thousands of them', async () => {
    const order = new ArrivalOrder();
    const started: number[] = [];
    let queued = 0;
    // Each start queues the next two while fewer than 5,000 were queued: the queue drops its head in blocks meanwhile.
    const queue = () => {
      const n = queued++;
      order.enqueue(() => {
        started.push(n);
        if (queued < 5_000) queue();
        if (queued < 5_000) queue();
      });
    };
    for (let i = 0; i < 10; i++) queue();
    await vi.waitFor(() => expect(started.length === queued && queued >= 5_000).toBe(true));
    expect(started).toEqual(Array.from({ length: queued }, (_, i) => i));
  });

  it('goes on with the rest when a start throws', async () => {
    const order = new ArrivalOrder();
    const log: string[] = [];
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    process.on('uncaughtException', onError);
    try {
      order.enqueue(() => {
        throw new Error('boom');
      });
      order.enqueue(() => log.push('after'));
      await vi.waitFor(() => expect(log).toHaveLength(1));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(log).toEqual(['after']);
    expect(errors.map(String)).toEqual(['Error: boom']);
  });
});
