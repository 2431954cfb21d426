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
    if (this.items.length === this.n && !this.ranksBefore(score, id, this.n - 1)) return;
    let at = this.items.length;
    while (at > 0 && this.ranksBefore(score, id, at - 1)) at--;
    this.items.splice(at, 0, item);
    this.scores.splice(at, 0, score);
    this.ids.splice(at, 0, id);
    if (this.items.length > this.n) {
      this.items.pop();
      this.scores.pop();
      this.ids.pop();
    }
  }

  // A method, not a closure made per offer: offers run once per candidate of every request.
  private ranksBefore(score: number, id: number, i: number): boolean {
    return score > this.scores[i]! || (score === this.scores[i] && id < this.ids[i]!);
  }
}
