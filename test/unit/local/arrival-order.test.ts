import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { ArrivalOrder } from '../../../local/arrival-order';

/** V8's full collection, callable without starting Node with --expose-gc. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

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

  it('lets go of what a request holds once it started, though the queue never empties', async () => {
    const gc = collector();
    const order = new ArrivalOrder();
    let busy = true;
    let started = 0;
    // Under load the queue is never empty: two chains, each start queueing the next of its chain.
    const keepBusy = () =>
      order.enqueue(() => {
        started++;
        if (busy) keepBusy();
      });
    // A request's objects (its message and response), reachable only from its start.
    const held = ((): WeakRef<object> => {
      const request = { body: new Uint8Array(1024) };
      order.enqueue(() => {
        started += request.body.length > 0 ? 1 : 0;
      });
      return new WeakRef(request);
    })();
    keepBusy();
    keepBusy();
    try {
      while (started < 10) await nextTurn();
      gc();
      expect(held.deref()).toBeUndefined();
    } finally {
      busy = false;
    }
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
