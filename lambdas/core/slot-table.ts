/**
 * Movie ids to slots in two typed arrays (open addressing, linear probing): a request looks up each
 * of a user's ratings, up to a thousand, and a Map's lookup was a twentieth of its time. Ids are
 * positive 32-bit integers (the event contract's), so 0 marks an empty entry.
 */
export class SlotTable {
  private readonly ids: Int32Array;
  private readonly slots: Int32Array;
  private readonly shift: number;
  private readonly mask: number;

  /** The slot of `movieIds[s]` is s; the ids are distinct. */
  constructor(movieIds: readonly number[]) {
    // At most half full: probes stay short.
    const bits = Math.max(4, Math.ceil(Math.log2(movieIds.length * 2 + 1)));
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
    this.ids = new Int32Array(1 << bits);
    this.slots = new Int32Array(1 << bits);
    movieIds.forEach((id, slot) => {
      let i = this.home(id);
      while (this.ids[i] !== 0) i = (i + 1) & this.mask;
      this.ids[i] = id;
      this.slots[i] = slot;
    });
  }

  /** The movie's slot, -1 when it has none. */
  get(movieId: number): number {
    const { ids, mask } = this;
    for (let i = this.home(movieId); ; i = (i + 1) & mask) {
      const id = ids[i]!;
      if (id === 0) return -1;
      if (id === movieId) return this.slots[i]!;
    }
  }

  has(movieId: number): boolean {
    return this.get(movieId) >= 0;
  }

  /** Fibonacci hashing: consecutive ids spread over the table. */
  private home(movieId: number): number {
    return Math.imul(movieId, 0x9e3779b1) >>> this.shift;
  }
}
