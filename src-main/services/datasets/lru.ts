/** A least-recently-used map bounded by a total cost (bytes), for decoded pixels and rendered images. */
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; cost: number }>();
  private total = 0;

  constructor(
    private readonly maxCost: number,
    private readonly costOf: (value: V) => number,
  ) {}

  get(key: K): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    // Re-insert: Map iteration order is insertion order, so the first key is always the least recent.
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  set(key: K, value: V): void {
    const old = this.map.get(key);
    if (old) {
      this.total -= old.cost;
      this.map.delete(key);
    }
    const cost = this.costOf(value);
    // An entry larger than the whole budget is not kept (it would evict everything else for one use).
    if (cost > this.maxCost) return;
    this.map.set(key, { value, cost });
    this.total += cost;
    for (const [k, v] of this.map) {
      if (this.total <= this.maxCost) break;
      this.map.delete(k);
      this.total -= v.cost;
    }
  }

  /** Drops every entry whose key matches. */
  deleteWhere(match: (key: K) => boolean): void {
    for (const [k, v] of [...this.map]) {
      if (match(k)) {
        this.map.delete(k);
        this.total -= v.cost;
      }
    }
  }

  get size(): number {
    return this.map.size;
  }

  get cost(): number {
    return this.total;
  }
}
