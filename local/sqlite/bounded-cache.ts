/**
 * A map that forgets its oldest entries while their weights sum to more than its capacity: each
 * weighs 1 unless told, so that a capacity counts entries, or what the weights count.
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();
  private weight = 0;

  constructor(
    private readonly capacity: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  getOrLoad(key: K, load: () => V): V {
    if (this.map.has(key)) return this.map.get(key) as V;
    const value = load();
    this.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    this.map.set(key, value);
    this.weight += this.weigh(value);
    while (this.weight > this.capacity) this.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    if (!this.map.has(key)) return;
    this.weight -= this.weigh(this.map.get(key) as V);
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.weight = 0;
  }
}
