/**
 * Kafka offsets kept on online feature items by a store that cannot write a batch at once
 * (DynamoDB): per item and per partition, how far the item reflects the partition's events. A
 * batch's retry then adds to each item only the events it does not hold yet, however Kafka
 * batches the retry.
 */

/**
 * Kafka progress a stored item reflects: per source (`topic:partition`), the offset up to which the
 * events of the batches that changed the item are in it.
 */
export type Offsets = Readonly<Record<string, number>>;

/** Where an event sits in Kafka. */
export interface EventPosition {
  /** `topic:partition` */
  source: string;
  offset: number;
}

/** One value for each user and movie of a batch, and one for the global stats. */
export interface PerItem<T> {
  users: ReadonlyMap<number, T>;
  movies: ReadonlyMap<number, T>;
  global: T;
}

/** An item's offsets as the snapshot read them, and as they are once the batch's change is in it. */
export interface OffsetsUpdate {
  read: Offsets;
  next: Offsets;
}

/** The offsets of the items a snapshot read. */
export type AppliedOffsets = PerItem<Offsets>;

/** The offsets each user, movie and the global stats a batch changes move to. */
export type BatchOffsets = PerItem<OffsetsUpdate>;

/** True when an item with `offsets` already holds the event at `position`. */
export function reaches(offsets: Offsets, position: EventPosition): boolean {
  const reached = offsets[position.source];
  return reached !== undefined && position.offset <= reached;
}

/** Collects the sources whose events change each item, then moves each item to the batch's last offsets. */
export class OffsetMoves {
  private readonly last = new Map<string, number>();
  private readonly users = new Map<number, Set<string>>();
  private readonly movies = new Map<number, Set<string>>();
  private readonly global = new Set<string>();

  constructor(private readonly positions: readonly EventPosition[]) {
    for (const { source, offset } of positions) this.last.set(source, Math.max(this.last.get(source) ?? -1, offset));
  }

  /** The events at these indexes of the batch change this user, this movie and the global stats. */
  touch(userId: number, movieId: number, events: readonly number[]): void {
    const sources = events.map((i) => this.positions[i]!.source);
    add(this.users, userId, sources);
    add(this.movies, movieId, sources);
    for (const s of sources) this.global.add(s);
  }

  result(applied: AppliedOffsets | undefined): BatchOffsets {
    const update = (read: Offsets | undefined, sources: ReadonlySet<string>): OffsetsUpdate => {
      const next: Record<string, number> = { ...read };
      for (const s of sources) next[s] = Math.max(next[s] ?? -1, this.last.get(s)!);
      return { read: read ?? {}, next };
    };
    return {
      users: new Map([...this.users].map(([id, sources]) => [id, update(applied?.users.get(id), sources)])),
      movies: new Map([...this.movies].map(([id, sources]) => [id, update(applied?.movies.get(id), sources)])),
      global: update(applied?.global, this.global),
    };
  }
}

function add<K>(map: Map<K, Set<string>>, key: K, values: readonly string[]): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  for (const v of values) set.add(v);
}
