/**
 * The collaborative sums of a request, in WebAssembly kernels: the head's dense rows in a SIMD one
 * (kernels/add-rows.as.ts), as a heavy rater's hundreds of them are the bulk of a request's work,
 * and the other movies' neighbour lists in a plain loop (kernels/add-lists.as.ts), which took a
 * tenth off a request's time against the same loop in JavaScript. The head's weights, the lists, the
 * sums and the states of every slot live in the kernels' one memory; the model index reads and
 * writes them through views.
 */
import { ADD_LISTS_WASM } from './kernels/add-lists.wasm';
import { ADD_ROWS_WASM } from './kernels/add-rows.wasm';
import { aligned8, instantiate, memoryOf } from './kernels/instantiate';

type AddRows = (weights: number, n: number, rows: number, likings: number, count: number, out: number) => void;
type AddLists = (
  start: number,
  slots: number,
  scores: number,
  sources: number,
  likings: number,
  count: number,
  out: number,
  state: number,
  headSize: number,
  mark: number,
  found: number,
) => number;

export class CollaborativeSums {
  /** The head's weights, n × n, row by row. */
  readonly weights: Float32Array;
  /** One sum per slot of the model, the head's slots first. */
  readonly sums: Float64Array;
  /** One state per slot, 0 for free: the ranking's, which addLists reads and marks. */
  readonly state: Uint8Array;
  /**
   * The neighbour lists of the slots outside the head: slot s's are at [listStart[s],
   * listStart[s + 1]) of listSlots and listScores. Written by the model index once.
   */
  readonly listStart: Int32Array;
  readonly listSlots: Int32Array;
  readonly listScores: Float64Array;
  private readonly sources: Int32Array;
  private readonly likings: Float64Array;
  private readonly found: Int32Array;
  private readonly at: Record<'weights' | 'sums' | 'state' | 'listStart' | 'listSlots' | 'listScores' | 'sources' | 'likings' | 'found', number>;
  private readonly addRows: AddRows;
  private readonly addListsKernel: AddLists;

  /** A head of n movies, `slots` slots in all, and room for `listEntries` list entries. */
  constructor(
    weights: Float32Array,
    private readonly n: number,
    slots: number,
    listEntries: number,
  ) {
    let end = 0;
    const place = (bytes: number): number => {
      const offset = aligned8(end);
      end = offset + bytes;
      return offset;
    };
    this.at = {
      weights: place(n * n * 4),
      sums: place(slots * 8),
      state: place(slots),
      listStart: place((slots + 1) * 4),
      listSlots: place(listEntries * 4),
      listScores: place(listEntries * 8),
      sources: place(slots * 4),
      likings: place(slots * 8),
      found: place(slots * 4),
    };
    const memory = memoryOf(end);
    this.addRows = instantiate(ADD_ROWS_WASM, memory).addRows as AddRows;
    this.addListsKernel = instantiate(ADD_LISTS_WASM, memory).addLists as AddLists;
    const { buffer } = memory;
    this.weights = new Float32Array(buffer, this.at.weights, n * n);
    this.weights.set(weights);
    this.sums = new Float64Array(buffer, this.at.sums, slots);
    this.state = new Uint8Array(buffer, this.at.state, slots);
    this.listStart = new Int32Array(buffer, this.at.listStart, slots + 1);
    this.listSlots = new Int32Array(buffer, this.at.listSlots, listEntries);
    this.listScores = new Float64Array(buffer, this.at.listScores, listEntries);
    this.sources = new Int32Array(buffer, this.at.sources, slots);
    this.likings = new Float64Array(buffer, this.at.likings, slots);
    this.found = new Int32Array(buffer, this.at.found, slots);
  }

  /** sums[t] += likings[k] × weights[rows[k]][t] for every head slot t, for the head rows given (at most `slots`). */
  addHead(rows: ArrayLike<number>, likings: ArrayLike<number>, count: number): void {
    this.stage(rows, likings, count);
    this.addRows(this.at.weights, this.n, this.at.sources, this.at.likings, count, this.at.sums);
  }

  /**
   * sums[t] += likings[k] × score for each entry (t, score) of the lists of the slots given, in
   * order. The slots outside the head that were free are returned in the order first reached, and
   * their state set to `mark`: a view, valid until the next call.
   */
  addLists(slots: ArrayLike<number>, likings: ArrayLike<number>, count: number, mark: number): Int32Array {
    this.stage(slots, likings, count);
    const { at } = this;
    const found = this.addListsKernel(at.listStart, at.listSlots, at.listScores, at.sources, at.likings, count, at.sums, at.state, this.n, mark, at.found);
    return this.found.subarray(0, found);
  }

  private stage(slots: ArrayLike<number>, likings: ArrayLike<number>, count: number): void {
    for (let k = 0; k < count; k++) {
      this.sources[k] = slots[k]!;
      this.likings[k] = likings[k]!;
    }
  }
}
