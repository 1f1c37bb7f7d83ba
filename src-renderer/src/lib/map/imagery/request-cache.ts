/**
 * A memory cache of answers from the main process (rendered patch images, histograms), keyed by the request. It
 * keeps the answers' promises, so two layers or the inspector asking for the same image share one request; it
 * bounds memory by a size estimate (least recently used first out); it runs at most `concurrency` requests at a
 * time (the main process decodes GeoTIFFs for each, and a pan over a dense area would otherwise queue hundreds).
 * A failed request is not kept: asking again retries.
 */
export interface RequestCacheOptions<V> {
  /** Budget for the sum of `sizeOf` of the kept values. */
  maxSize: number;
  sizeOf: (value: V) => number;
  concurrency: number;
}

interface Entry<V> {
  promise: Promise<V>;
  size: number;
}

export class RequestCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #opts: RequestCacheOptions<V>;
  #size = 0;
  #running = 0;
  readonly #queue: Array<() => void> = [];

  constructor(opts: RequestCacheOptions<V>) {
    this.#opts = opts;
  }

  /** Bytes (or whatever `sizeOf` counts) kept now. */
  get size(): number {
    return this.#size;
  }

  get count(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** The cached answer for `key`, or `load()` run (when a slot is free) and remembered. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit) {
      // Re-insert: a Map iterates in insertion order, so the first entry is always the least recently used.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.promise;
    }
    const entry: Entry<V> = { promise: this.#limited(load), size: 0 };
    this.#entries.set(key, entry);
    entry.promise.then(
      (value) => {
        if (this.#entries.get(key) !== entry) return;
        entry.size = this.#opts.sizeOf(value);
        this.#size += entry.size;
        this.#evict();
      },
      () => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    );
    return entry.promise;
  }

  /** Forgets every entry whose key `match` accepts (a closed dataset). */
  drop(match: (key: string) => boolean): void {
    for (const [key, entry] of this.#entries) {
      if (!match(key)) continue;
      this.#size -= entry.size;
      this.#entries.delete(key);
    }
  }

  #evict(): void {
    for (const [key, entry] of this.#entries) {
      if (this.#size <= this.#opts.maxSize) break;
      if (entry.size === 0) continue; // still loading: its size is not known yet
      this.#size -= entry.size;
      this.#entries.delete(key);
    }
  }

  #limited(load: () => Promise<V>): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const run = () => {
        this.#running++;
        let promise: Promise<V>;
        try {
          promise = load();
        } catch (err) {
          promise = Promise.reject(err);
        }
        promise.then(resolve, reject).finally(() => {
          this.#running--;
          // Newest first: after a pan, the patches now in view matter more than those asked for on the way.
          this.#queue.pop()?.();
        });
      };
      if (this.#running < this.#opts.concurrency) run();
      else this.#queue.push(run);
    });
  }
}
