/**
 * Starts the server's requests in the order they arrived, one a turn of the event loop.
 *
 * Left to itself, Node answers in one turn every request that turn's poll found, before it polls
 * again: under load from many connections the server works in rounds, and a request can miss
 * round after round while others are answered (docs/performance.md, *Over HTTP*). Starting one
 * request a turn, the server polls between them, so that each request is queued as it arrives and
 * waits only for those that came before it.
 */
const DROP_BLOCK = 1024;

export class ArrivalOrder {
  private readonly waiting: ((() => void) | undefined)[] = [];
  /** The next of `waiting` to start; those before it are dropped in blocks, as a queue that never empties would grow. */
  private next = 0;
  private scheduled = false;

  /** Starts `start` in a turn of its own once those queued before it have started. */
  enqueue(start: () => void): void {
    this.waiting.push(start);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.startNext);
    }
  }

  private readonly startNext = (): void => {
    const start = this.waiting[this.next]!;
    // A start holds its request and response: left in the queue until its block is dropped, up to
    // 1,024 answered requests outlived young-generation collections and were copied at each one.
    this.waiting[this.next++] = undefined;
    if (this.next === this.waiting.length) {
      this.waiting.length = 0;
      this.next = 0;
      this.scheduled = false;
    } else {
      if (this.next === DROP_BLOCK) {
        this.waiting.splice(0, DROP_BLOCK);
        this.next = 0;
      }
      setImmediate(this.startNext);
    }
    start();
  };
}
