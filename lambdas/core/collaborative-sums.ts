/**
 * The collaborative sums of a request, in WebAssembly kernels: the head's dense rows in a SIMD one
 * (kernels/add-rows.as.ts), as a heavy rater's hundreds of them are the bulk of a request's work,
 * and the other movies' neighbour lists in a plain loop (kernels/add-lists.as.ts), which took a
 * tenth off a request's time against the same loop in JavaScript; and where those lists reach the
 * items a page returns, for their reasons (kernels/list-hits.as.ts). The head's weights, the lists,
 * the sums, the states and places of every slot live in the kernels' one memory; the model index
 * reads and writes them through views.
 */
import { ADD_LISTS_WASM } from './kernels/add-lists.wasm';
import { ADD_ROWS_WASM } from './kernels/add-rows.wasm';
import { aligned8, instantiate, memoryOf } from './kernels/instantiate';
import { LIST_HITS_WASM } from './kernels/list-hits.wasm';

type AddRows = (weights: number, n: number, rows: number, likings: number, count: number, out: number) => void;
/** What the list kernels take first: the lists, and `count` sources with their likings. */
type Lists = [start: number, slots: number, scores: number, sources: number, likings: number, count: number];
type AddLists = (...args: [...Lists, out: number, state: number, headSize: number, mark: number, found: number]) => number;
type ListHits = (...args: [...Lists, place: number, hitSources: number, hitPlaces: number, hitValues: number]) => number;

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
  /** One place per slot, -1 for none: the slots whose hits listHits finds. */
  readonly place: Int32Array;
  private readonly sources: Int32Array;
  private readonly likings: Float64Array;
  private readonly found: Int32Array;
  /** Room for one hit per slot: listHits asks for the hits of as many sources at a time as fit. */
  private readonly hitSources: Int32Array;
  private readonly hitPlaces: Int32Array;
  private readonly hitValues: Float64Array;
  private readonly at: Record<
    'weights' | 'sums' | 'state' | 'listStart' | 'listSlots' | 'listScores' | 'place' | 'sources' | 'likings' | 'found' | 'hitSources' | 'hitPlaces' | 'hitValues',
    number
  >;
  private readonly addRows: AddRows;
  private readonly addListsKernel: AddLists;
  private readonly listHitsKernel: ListHits;

  /** A head of n movies, `slots` slots in all, and room for `listEntries` list entries. */
  constructor(
    weights: Float32Array,
    private readonly n: number,
    slots: number,
    listEntries: number,
  ) {
    let end = 0;
    const reserve = (bytes: number): number => {
      const offset = aligned8(end);
      end = offset + bytes;
      return offset;
    };
    this.at = {
      weights: reserve(n * n * 4),
      sums: reserve(slots * 8),
      state: reserve(slots),
      listStart: reserve((slots + 1) * 4),
      listSlots: reserve(listEntries * 4),
      listScores: reserve(listEntries * 8),
      place: reserve(slots * 4),
      sources: reserve(slots * 4),
      likings: reserve(slots * 8),
      found: reserve(slots * 4),
      hitSources: reserve(slots * 4),
      hitPlaces: reserve(slots * 4),
      hitValues: reserve(slots * 8),
    };
    const memory = memoryOf(end);
    this.addRows = instantiate(ADD_ROWS_WASM, memory).addRows as AddRows;
    this.addListsKernel = instantiate(ADD_LISTS_WASM, memory).addLists as AddLists;
    this.listHitsKernel = instantiate(LIST_HITS_WASM, memory).listHits as ListHits;
    const { buffer } = memory;
    this.weights = new Float32Array(buffer, this.at.weights, n * n);
    this.weights.set(weights);
    this.sums = new Float64Array(buffer, this.at.sums, slots);
    this.state = new Uint8Array(buffer, this.at.state, slots);
    this.listStart = new Int32Array(buffer, this.at.listStart, slots + 1);
    this.listSlots = new Int32Array(buffer, this.at.listSlots, listEntries);
    this.listScores = new Float64Array(buffer, this.at.listScores, listEntries);
    this.place = new Int32Array(buffer, this.at.place, slots).fill(-1);
    this.sources = new Int32Array(buffer, this.at.sources, slots);
    this.likings = new Float64Array(buffer, this.at.likings, slots);
    this.found = new Int32Array(buffer, this.at.found, slots);
    this.hitSources = new Int32Array(buffer, this.at.hitSources, slots);
    this.hitPlaces = new Int32Array(buffer, this.at.hitPlaces, slots);
    this.hitValues = new Float64Array(buffer, this.at.hitValues, slots);
  }

  /** sums[t] += likings[k] × weights[rows[k]][t] for every head slot t, for the head rows given (at most `slots`). */
  addHead(rows: ArrayLike<number>, likings: ArrayLike<number>, count: number): void {
    this.stage(rows, likings, 0, count);
    this.addRows(this.at.weights, this.n, this.at.sources, this.at.likings, count, this.at.sums);
  }

  /**
   * sums[t] += likings[k] × score for each entry (t, score) of the lists of the slots given, in
   * order. The slots outside the head that were free are returned in the order first reached, and
   * their state set to `mark`: a view, valid until the next call.
   */
  addLists(slots: ArrayLike<number>, likings: ArrayLike<number>, count: number, mark: number): Int32Array {
    this.stage(slots, likings, 0, count);
    const { at } = this;
    const found = this.addListsKernel(at.listStart, at.listSlots, at.listScores, at.sources, at.likings, count, at.sums, at.state, this.n, mark, at.found);
    return this.found.subarray(0, found);
  }

  /**
   * Where the lists of the slots given reach the `places` slots that have a place: `hit` hears of
   * each, in the lists' order, with the number of its source among those given, the place, and
   * likings[k] × the entry's score.
   */
  listHits(slots: ArrayLike<number>, likings: ArrayLike<number>, count: number, places: number, hit: (source: number, place: number, value: number) => void): void {
    // A list holds a slot once, so a source has at most `places` hits.
    const batch = Math.max(1, Math.floor(this.hitSources.length / Math.max(1, places)));
    const { at } = this;
    for (let from = 0; from < count; from += batch) {
      const size = Math.min(batch, count - from);
      this.stage(slots, likings, from, size);
      const hits = this.listHitsKernel(at.listStart, at.listSlots, at.listScores, at.sources, at.likings, size, at.place, at.hitSources, at.hitPlaces, at.hitValues);
      for (let n = 0; n < hits; n++) hit(from + this.hitSources[n]!, this.hitPlaces[n]!, this.hitValues[n]!);
    }
  }

  private stage(slots: ArrayLike<number>, likings: ArrayLike<number>, from: number, count: number): void {
    for (let k = 0; k < count; k++) {
      this.sources[k] = slots[from + k]!;
      this.likings[k] = likings[from + k]!;
    }
  }
}
