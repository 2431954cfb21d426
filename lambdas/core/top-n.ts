/**
 * The n best of the items offered, best first: a larger score first, then a smaller id. Insertion
 * into a short sorted list: n is a page of recommendations or a few explanations, not a catalog.
 */
export class TopN {
  readonly items: number[] = [];
  readonly scores: number[] = [];
  private readonly ids: number[] = [];

  constructor(private readonly n: number) {}

  /** The score an item needs at least to be kept: -Infinity until n are. */
  get floor(): number {
    return this.items.length === this.n ? this.scores[this.n - 1]! : -Infinity;
  }

  offer(item: number, score: number, id: number): void {
    const { items, scores, ids } = this;
    let at: number;
    if (items.length < this.n) {
      items.push(item);
      scores.push(score);
      ids.push(id);
      at = items.length - 1;
    } else if (this.ranksBefore(score, id, this.n - 1)) at = this.n - 1;
    else return;
    // Moved down in place, not spliced: a splice allocates an array of what it removes, and offers
    // run for every candidate and every explanation of every request.
    for (; at > 0 && this.ranksBefore(score, id, at - 1); at--) {
      items[at] = items[at - 1]!;
      scores[at] = scores[at - 1]!;
      ids[at] = ids[at - 1]!;
    }
    items[at] = item;
    scores[at] = score;
    ids[at] = id;
  }

  // A method, not a closure made per offer: offers run once per candidate of every request.
  private ranksBefore(score: number, id: number, i: number): boolean {
    return score > this.scores[i]! || (score === this.scores[i] && id < this.ids[i]!);
  }
}
