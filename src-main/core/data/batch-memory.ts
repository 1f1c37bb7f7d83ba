/**
 * `BatchMemory`: batch arrays allocated inside one shared `WebAssembly.Memory`, so that the SIMD kernels of every
 * thread (simd-kernels.ts, instantiated on this memory) write patches straight into the batch. The alternative,
 * a kernel writing into its own memory and `TypedArray.set` copying into a SharedArrayBuffer-backed batch, costs
 * ~50 us more per patch: V8 copies to and from SharedArrayBuffers with relaxed atomic word moves, several times
 * slower than memcpy.
 *
 * Layout: `reserved` bytes at the start (the threads' kernel regions), then a heap of batch arrays. Arrays are
 * handed out as typed-array views; when a view is garbage-collected its block returns to the free list
 * (FinalizationRegistry), so callers simply drop batches as with ordinary arrays. Keep the view itself while you
 * use the data (a view derived from its `.buffer` does not keep the block alive). The memory grows on demand up to
 * `maximumPages`; beyond that `float32`/`int32` return null and the caller allocates elsewhere.
 */

const PAGE = 65536;
const ALIGN = 64;

export class BatchMemory {
  readonly memory: WebAssembly.Memory;
  /** Free blocks [offset, bytes], sorted by offset, never adjacent (coalesced). */
  private readonly free: [number, number][] = [];
  private readonly views = new WeakSet<object>();
  private readonly finalizer = new FinalizationRegistry<[number, number]>(([offset, bytes]) => this.release(offset, bytes));
  private end: number;
  /** Bytes currently handed out (for tests and diagnostics). */
  allocatedBytes = 0;

  constructor(readonly reserved: number, readonly maximumPages: number) {
    const initial = Math.ceil(reserved / PAGE);
    this.memory = new WebAssembly.Memory({ initial, maximum: maximumPages, shared: true });
    this.end = initial * PAGE;
    if (this.end > reserved) this.free.push([align(reserved), this.end - align(reserved)]);
  }

  /** Whether `a` is a view handed out by this memory (kernels may write into it directly). */
  owns(a: object): boolean {
    return this.views.has(a);
  }

  float32(length: number): Float32Array | null {
    const at = this.allocate(length * 4);
    return at === null ? null : this.track(new Float32Array(this.memory.buffer, at, length), at, length * 4);
  }

  int32(length: number): Int32Array | null {
    const at = this.allocate(length * 4);
    return at === null ? null : this.track(new Int32Array(this.memory.buffer, at, length), at, length * 4);
  }

  private track<T extends object>(view: T, at: number, bytes: number): T {
    this.views.add(view);
    this.finalizer.register(view, [at, align(bytes)]);
    this.allocatedBytes += align(bytes);
    return view;
  }

  /** First fit; grows the memory when no free block is large enough. */
  private allocate(bytes: number): number | null {
    const need = align(Math.max(bytes, 1));
    for (let k = 0; k < this.free.length; k++) {
      const [offset, size] = this.free[k];
      if (size < need) continue;
      if (size === need) this.free.splice(k, 1);
      else this.free[k] = [offset + need, size - need];
      return offset;
    }
    // Grow by what is missing beyond a free block at the end, at least 1/8 of the current size.
    const last = this.free[this.free.length - 1];
    const tail = last && last[0] + last[1] === this.end ? last[1] : 0;
    const pages = Math.max(Math.ceil((need - tail) / PAGE), Math.ceil(this.end / PAGE / 8));
    const current = this.end / PAGE;
    const grow = Math.min(pages, this.maximumPages - current);
    if (grow * PAGE < need - tail) return null;
    try {
      this.memory.grow(grow);
    } catch {
      return null; // the engine could not commit the memory
    }
    this.release(this.end, grow * PAGE, false);
    this.end += grow * PAGE;
    return this.allocate(bytes);
  }

  /** Returns a block to the free list, merging it with its neighbours. */
  private release(offset: number, bytes: number, handedOut = true): void {
    if (handedOut) this.allocatedBytes -= bytes;
    let k = 0;
    while (k < this.free.length && this.free[k][0] < offset) k++;
    this.free.splice(k, 0, [offset, bytes]);
    const next = this.free[k + 1];
    if (next && offset + bytes === next[0]) {
      this.free[k][1] += next[1];
      this.free.splice(k + 1, 1);
    }
    const prev = this.free[k - 1];
    if (prev && prev[0] + prev[1] === offset) {
      prev[1] += this.free[k][1];
      this.free.splice(k, 1);
    }
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
