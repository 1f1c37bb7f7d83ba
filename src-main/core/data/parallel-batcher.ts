/**
 * `ParallelBatcher`: the same batches as `PatchDataset.getBatch`, assembled by several threads. The resident cache
 * already lives in shared memory; the calling thread draws every augmentation (so the result is identical to
 * `getBatch` with the same rng) and then the calling thread and `threads - 1` worker threads take patches one at a
 * time from a shared counter until none is left, running the very same kernel functions (their source is handed to
 * the workers, so there is one implementation; the WebAssembly SIMD kernels are posted to them compiled).
 *
 *   const batcher = new ParallelBatcher(ds);            // threads: the machine's cores by default
 *   let batch = await batcher.getBatch(indices, { modalities: ['s2', 's1'], targets: ['worldcover'], augment: true, rng });
 *   ...
 *   batcher.close();
 *
 * - A shared counter rather than fixed shares: on a machine shared with other work a worker may get its time slice
 *   late; the calling thread then simply takes more patches. It waits (Atomics.waitAsync, event loop free) only for
 *   patches a worker has started. Per batch there is one message per worker and nothing is copied.
 * - With SIMD, batch arrays are allocated in one shared WebAssembly memory (batch-memory.ts) that also holds each
 *   thread's kernel regions, so kernels write patches straight into the batch: copying into a SharedArrayBuffer
 *   costs V8 several times a memcpy. Keep a batch's arrays themselves (not just their `.buffer`) while using them;
 *   dropped arrays return their memory when collected.
 *
 * A streaming (non-resident) cache, or `threads: 1`, simply runs `getBatch` on the calling thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { emptySampling, fillAxis, samplingOf } from './augment';
import { activeKernelModule, writeDem, writeDirectlyWith, writeMaskJs, writeOneHot, writeS1Js, writeS2Js } from './assemble';
import { BatchMemory } from './batch-memory';
import { buildKernelModule, instantiateKernels, kernelLayout, loadTables, scratchBytes, simdMask, simdS1, simdS2, type SimdKernels } from './simd-kernels';
import { S2_SCALE } from './normalise';
import { IGNORE_INDEX, PATCH_SIZE, WORLDCOVER_CLASS_COUNT } from './modalities';
import { WORLDCOVER_STORE_IGNORE, type CachedModality } from './cache/packed-cache';
import type { Batch } from './modalities';
import type { BatchAllocator, BatchOptions, BatchPlan, PatchDataset, SpatialInput } from './dataset';

/** Batch arrays in plain shared memory (no SIMD kernels, or the kernel memory is full). */
const SHARED_ALLOCATOR: BatchAllocator = {
  float32: (n) => new Float32Array(new SharedArrayBuffer(n * 4)),
  int32: (n) => new Int32Array(new SharedArrayBuffer(n * 4)),
  accepts: (a) => a.buffer instanceof SharedArrayBuffer,
};

/** Largest kernel memory (2 GiB: ~70 batches of 32 S2 + S1 + mask patches alive at once). */
const MAX_KERNEL_PAGES = 32768;

/** Per patch: cache index, batch slot, transpose, flipY, flipX, cropRow, cropCol, cropSize, gain, offset, augmented. */
const JOB_FIELDS = 11;

/**
 * Control words (Int32, shared). CLAIM = generation << 16 | next patch slot: a claim is a compare-exchange that
 * fails once the batch's generation has passed, so a worker reading a late message can never take a patch of a
 * later batch. DONE counts finished patches of the current batch.
 */
const CLAIM = 0;
const DONE = 1;
const MAX_BATCH = 0xffff;

/** Atomics.waitAsync (ES2024, in Node since 16), typed here because the project's lib is ES2023. */
type WaitAsync = (a: Int32Array, index: number, value: number, timeoutMs?: number) =>
  { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** The function declarations a worker needs, by the name its callers use. */
function declaration(fn: (...args: never[]) => unknown): string {
  const src = fn.toString();
  const m = /^function\s*\*?\s*([\w$]+)/.exec(src);
  if (!m) throw new Error(`ParallelBatcher: cannot ship ${fn.name} to a worker (not a function declaration)`);
  return src;
}

/** Takes the next patch slot of batch `gen` of `n` patches, or -1 when none is left (or the batch is over). */
function claimSlot(ctl: Int32Array, gen: number, n: number): number {
  for (;;) {
    const v = Atomics.load(ctl, CLAIM);
    if (v >>> 16 !== gen) return -1;
    const b = v & 0xffff;
    if (b >= n) return -1;
    if (Atomics.compareExchange(ctl, CLAIM, v, v + 1) === v) return b;
  }
}

function workerSource(): string {
  const kernels = [
    fillAxis, emptySampling, samplingOf, writeS2Js, writeS1Js, writeDem, writeOneHot, writeMaskJs,
    instantiateKernels, loadTables, simdS2, simdS1, simdMask, claimSlot,
  ] as unknown as ((...a: never[]) => unknown)[];
  return `
'use strict';
const { parentPort } = require('node:worker_threads');
// Bundlers that keep function names wrap declarations in __name(); a no-op here.
const __name = (f) => f;
${kernels.map(declaration).join('\n')}
const S = ${PATCH_SIZE}, PIXELS = S * S, WC = ${WORLDCOVER_CLASS_COUNT}, IGNORE_CODE = ${WORLDCOVER_STORE_IGNORE}, IGNORE_INDEX = ${IGNORE_INDEX}, S2_SCALE = ${S2_SCALE};
const FIELDS = ${JOB_FIELDS}, CLAIM = ${CLAIM}, DONE = ${DONE};
let cache = null, ctl = null, K = null;
const sampling = emptySampling(S);
const t = { transpose: false, flipY: false, flipX: false, cropRow: 0, cropCol: 0, cropSize: S, gain: 1, offset: 0 };
parentPort.on('message', (msg) => {
  if (msg.init) {
    cache = msg.cache;
    ctl = msg.control;
    K = msg.module ? instantiateKernels(msg.module, msg.layout, msg.memory) : null;
    return;
  }
  const { gen, n, jobs, outs, mask, s1, dem, direct } = msg;
  try {
    for (let b = claimSlot(ctl, gen, n); b >= 0; b = claimSlot(ctl, gen, n)) {
      const j = b * FIELDS, i = jobs[j];
      const augmented = jobs[j + 10] === 1;
      t.transpose = jobs[j + 2] === 1; t.flipY = jobs[j + 3] === 1; t.flipX = jobs[j + 4] === 1;
      t.cropRow = jobs[j + 5]; t.cropCol = jobs[j + 6]; t.cropSize = jobs[j + 7]; t.gain = jobs[j + 8]; t.offset = jobs[j + 9];
      const s = samplingOf(t, S, sampling);
      const k2 = S2_SCALE * (augmented ? t.gain : 1), m2 = augmented ? t.offset : 0;
      if (outs.s2) {
        if (K) simdS2(K, cache.s2, i * PIXELS * 12, s, k2, m2, outs.s2, b * PIXELS * 12, direct.s2);
        else writeS2Js(cache.s2, i * PIXELS * 12, S, s, k2, m2, outs.s2, b * PIXELS * 12);
      }
      if (outs.s1) {
        if (K) simdS1(K, cache.s1, i * PIXELS * 2, s, s1.scale, s1.shift, outs.s1, b * PIXELS * 2, direct.s1);
        else writeS1Js(cache.s1, i * PIXELS * 2, S, s, s1.scale, s1.shift, outs.s1, b * PIXELS * 2);
      }
      if (outs.dem) writeDem(cache.dem, i * PIXELS, S, s, dem.scale, dem.shift, outs.dem, b * PIXELS);
      if (outs.worldcover) writeOneHot(cache.worldcover, i * PIXELS, WC, S, s, IGNORE_CODE, outs.worldcover, b * PIXELS * WC);
      if (mask) {
        if (K) simdMask(K, cache.worldcover, i * PIXELS, s, IGNORE_CODE, IGNORE_INDEX, mask, b * PIXELS, direct.mask);
        else writeMaskJs(cache.worldcover, i * PIXELS, S, s, IGNORE_CODE, IGNORE_INDEX, mask, b * PIXELS);
      }
      if (Atomics.add(ctl, DONE, 1) + 1 === n) Atomics.notify(ctl, DONE);
    }
  } catch (err) {
    parentPort.postMessage({ gen, error: String(err && err.stack || err) });
  }
});
`;
}

export class ParallelBatcher {
  readonly threads: number;
  /** Whether the workers run the WebAssembly SIMD kernels (as the calling thread does then). */
  readonly simd: boolean;
  /**
   * Patches assembled so far, how many of them by the worker threads (the rest by the calling thread), and the
   * time the calling thread spent waiting for workers to finish patches they had started.
   */
  readonly stats = { patches: 0, byWorkers: 0, waitMs: 0 };
  private readonly callerWorks: boolean;
  private readonly workers: Worker[] = [];
  /** With SIMD: the shared memory holding every thread's kernel regions and the batch arrays. */
  private readonly kernelMemory: BatchMemory | null = null;
  private readonly allocator: BatchAllocator = SHARED_ALLOCATOR;
  private readonly control = new Int32Array(new SharedArrayBuffer(8 * 4));
  private jobs = new Float64Array(new SharedArrayBuffer(64 * JOB_FIELDS * 8));
  private gen = 0;
  /**
   * A worker's failure (from its message or error event, which also wake a waiting batch). Sticky: a batcher whose
   * worker failed once fails every later batch rather than silently running on fewer threads.
   */
  private failure: Error | null = null;
  /** Batches run one after the other (they share the control words). */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `threads`: threads assembling batches, the calling one included (default: the machine's cores).
   * `callerWorks`: false leaves all patches to the `threads - 1` workers, the calling thread only waits (its core
   * stays free, e.g. for a training step running meanwhile). Default true.
   */
  constructor(private readonly ds: PatchDataset, options: { threads?: number; callerWorks?: boolean } = {}) {
    const resident = ds.cache.resident;
    this.threads = resident ? Math.max(1, Math.floor(options.threads ?? availableParallelism())) : 1;
    this.callerWorks = options.callerWorks ?? true;
    this.simd = activeKernelModule(PATCH_SIZE) !== null;
    if (this.threads === 1) return;
    // With SIMD every thread's kernels live in one shared memory (region k for thread k, 0 = calling thread) that
    // also holds the batch arrays, so the kernels write patches straight into the batch.
    const region = Math.ceil(scratchBytes(PATCH_SIZE) / 64) * 64;
    const modules: (WebAssembly.Module | null)[] = [];
    if (this.simd) {
      const memory = new BatchMemory(region * this.threads, MAX_KERNEL_PAGES);
      for (let k = 0; k < this.threads; k++) {
        modules.push(new WebAssembly.Module(buildKernelModule(PATCH_SIZE, { base: k * region, shared: { maximum: MAX_KERNEL_PAGES } })));
      }
      const mine: SimdKernels = instantiateKernels(modules[0]!, kernelLayout(PATCH_SIZE, 0), memory.memory);
      const inMemory = <T extends Float32Array | Int32Array>(a: T | null): T | null => {
        if (a) writeDirectlyWith(a.buffer, mine); // this thread's writeS2 & co. then write it directly too
        return a;
      };
      this.kernelMemory = memory;
      this.allocator = {
        float32: (n) => inMemory(memory.float32(n)) ?? SHARED_ALLOCATOR.float32(n),
        int32: (n) => inMemory(memory.int32(n)) ?? SHARED_ALLOCATOR.int32(n),
        accepts: SHARED_ALLOCATOR.accepts,
      };
    }
    const source = workerSource();
    const cache: Partial<Record<CachedModality, unknown>> = {};
    for (const m of ['s2', 's1', 'dem', 'worldcover'] as const) cache[m] = ds.cache.residentArray(m);
    const fail = (err: Error): void => {
      this.failure ??= err;
      Atomics.notify(this.control, DONE); // wake the waiting batch
    };
    for (let k = 0; k < this.threads - 1; k++) {
      const w = new Worker(source, { eval: true });
      w.unref(); // idle workers must not keep the process alive (ref'd while a batch runs)
      w.on('message', (msg: { gen: number; error?: string }) => {
        if (msg.error) fail(new Error(`batch worker: ${msg.error}`));
      });
      w.on('error', (err) => fail(err));
      w.on('exit', (code) => {
        if (this.workers.includes(w)) fail(new Error(`batch worker exited (code ${code})`));
      });
      const memory = this.kernelMemory?.memory;
      w.postMessage({ init: true, cache, control: this.control, module: modules[k + 1] ?? null, layout: kernelLayout(PATCH_SIZE, (k + 1) * region), memory });
      this.workers.push(w);
    }
  }

  /** Same result as `ds.getBatch(indices, options)`; batch arrays are shared memory (pass one back via `into`). */
  getBatch(indices: readonly number[], options: BatchOptions): Promise<Batch> {
    const run = this.queue.then(() => this.assemble(indices, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async assemble(indices: readonly number[], options: BatchOptions): Promise<Batch> {
    if (this.failure) throw this.failure;
    if (this.workers.length === 0 || indices.length > MAX_BATCH) return this.ds.getBatch(indices, options);
    const plan = this.ds.planBatch(indices, options, this.allocator);
    const n = plan.indices.length;
    if (n === 0) return this.ds.finishBatch(plan, options);
    this.writeJobs(plan);
    const ctl = this.control;
    this.gen = (this.gen + 1) & 0x7fff;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, CLAIM, this.gen << 16);
    const outs: Partial<Record<SpatialInput, Float32Array>> = {};
    for (const m of plan.spatial) outs[m] = plan.outs[m];
    const owned = (a: Float32Array | Int32Array | null | undefined) => !!a && !!this.kernelMemory?.owns(a);
    const direct = { s2: owned(outs.s2), s1: owned(outs.s1), mask: owned(plan.mask) };
    const msg = { gen: this.gen, n, jobs: this.jobs, outs, mask: plan.mask, s1: plan.s1, dem: plan.dem, direct };
    for (const w of this.workers) {
      w.ref();
      w.postMessage(msg);
    }
    let mine = 0;
    try {
      // The calling thread works too, patch by patch, until no patch is left to claim.
      for (let b = this.callerWorks ? claimSlot(ctl, this.gen, n) : -1; b >= 0; b = claimSlot(ctl, this.gen, n)) {
        this.ds.fillSpatial(plan, b, b + 1);
        Atomics.add(ctl, DONE, 1);
        mine++;
      }
      // Then waits for the patches the workers have taken.
      const waitStart = performance.now();
      for (let done = Atomics.load(ctl, DONE); done < n; done = Atomics.load(ctl, DONE)) {
        if (this.failure) throw this.failure;
        const wait = waitAsync(ctl, DONE, done, 1000);
        if (wait.async) await wait.value;
      }
      if (this.failure) throw this.failure;
      this.stats.waitMs += performance.now() - waitStart;
      this.stats.patches += n;
      this.stats.byWorkers += n - mine;
    } finally {
      // Nothing left to claim, even for a failed batch whose message a worker reads late.
      Atomics.store(ctl, CLAIM, (this.gen << 16) | 0xffff);
      for (const w of this.workers) w.unref();
    }
    return this.ds.finishBatch(plan, options);
  }

  /** Writes every patch's cache index, slot and augmentation into the shared job table. */
  private writeJobs(plan: BatchPlan): void {
    const n = plan.indices.length;
    if (this.jobs.length < n * JOB_FIELDS) this.jobs = new Float64Array(new SharedArrayBuffer(n * JOB_FIELDS * 8));
    const J = this.jobs;
    for (let b = 0, j = 0; b < n; b++, j += JOB_FIELDS) {
      const t = plan.augmentations[b];
      J[j] = plan.indices[b];
      J[j + 1] = b;
      if (t) {
        J[j + 2] = +t.transpose; J[j + 3] = +t.flipY; J[j + 4] = +t.flipX;
        J[j + 5] = t.cropRow; J[j + 6] = t.cropCol; J[j + 7] = t.cropSize; J[j + 8] = t.gain; J[j + 9] = t.offset;
        J[j + 10] = 1;
      } else {
        J[j + 2] = 0; J[j + 3] = 0; J[j + 4] = 0; J[j + 5] = 0; J[j + 6] = 0; J[j + 7] = PATCH_SIZE; J[j + 8] = 1; J[j + 9] = 0;
        J[j + 10] = 0;
      }
    }
  }

  /** Whether `a` is in the kernels' shared memory (batch arrays are, with SIMD; kernels then write them directly). */
  inKernelMemory(a: Float32Array | Int32Array): boolean {
    return this.kernelMemory?.owns(a) ?? false;
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
