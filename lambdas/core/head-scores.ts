/**
 * The collaborative sums of a request over the model's head, in a WebAssembly SIMD kernel
 * (kernels/add-rows.as.ts): a heavy rater's hundreds of dense head rows are the bulk of a
 * request's work, and the kernel adds them several times faster than a loop of JavaScript. The head's
 * weights and the sums of every slot live in the kernel's memory; the model index reads them
 * through views.
 */
import { ADD_ROWS_WASM } from './kernels/add-rows.wasm';
import { aligned8, instantiate, memoryOf } from './kernels/instantiate';

type AddRows = (weights: number, n: number, rows: number, likings: number, count: number, out: number) => void;

export class HeadScores {
  /** The head's weights, n × n, row by row. */
  readonly weights: Float32Array;
  /** One sum per slot of the model, the head's slots first. */
  readonly sums: Float64Array;
  private readonly rows: Int32Array;
  private readonly likings: Float64Array;
  private readonly at: { weights: number; sums: number; rows: number; likings: number };
  private readonly addRows: AddRows;

  constructor(
    weights: Float32Array,
    private readonly n: number,
    slots: number,
  ) {
    const sums = aligned8(n * n * 4);
    const rows = sums + slots * 8;
    const likings = aligned8(rows + n * 4);
    const memory = memoryOf(likings + n * 8);
    this.addRows = instantiate(ADD_ROWS_WASM, memory).addRows as AddRows;
    this.at = { weights: 0, sums, rows, likings };
    this.weights = new Float32Array(memory.buffer, 0, n * n);
    this.weights.set(weights);
    this.sums = new Float64Array(memory.buffer, sums, slots);
    this.rows = new Int32Array(memory.buffer, rows, n);
    this.likings = new Float64Array(memory.buffer, likings, n);
  }

  /** sums[t] += likings[k] × weights[rows[k]][t] for every head slot t, for the head rows given (at most n). */
  add(rows: ArrayLike<number>, likings: ArrayLike<number>, count: number): void {
    for (let k = 0; k < count; k++) {
      this.rows[k] = rows[k]!;
      this.likings[k] = likings[k]!;
    }
    this.addRows(this.at.weights, this.n, this.at.rows, this.at.likings, count, this.at.sums);
  }
}
