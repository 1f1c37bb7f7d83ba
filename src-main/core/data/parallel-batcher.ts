/**
 * `ParallelBatcher`: the same batches as `PatchDataset.getBatch`, assembled by several threads. The resident cache
 * already lives in shared memory; batch arrays are allocated in shared memory too, the calling thread draws every
 * augmentation (so the result is identical to `getBatch` with the same rng) and splits the patches between itself
 * and `threads - 1` worker threads, which run the very same kernel functions (their source is handed to the
 * workers, so there is one implementation).
 *
 *   const batcher = new ParallelBatcher(ds);            // threads: the machine's cores by default
 *   let batch = await batcher.getBatch(indices, { modalities: ['s2', 's1'], targets: ['worldcover'], augment: true, rng });
 *   ...
 *   batcher.close();
 *
 * A streaming (non-resident) cache, or `threads: 1`, simply runs `getBatch` on the calling thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { emptySampling, fillAxis, samplingOf, type PatchAugmentation } from './augment';
import { writeDem, writeMask, writeOneHot, writeS1, writeS2 } from './assemble';
import { S2_SCALE } from './normalise';
import { IGNORE_INDEX, PATCH_SIZE, WORLDCOVER_CLASS_COUNT } from './modalities';
import { WORLDCOVER_STORE_IGNORE, type CachedModality } from './cache/packed-cache';
import type { Batch } from './modalities';
import type { BatchAllocator, BatchOptions, BatchPlan, PatchDataset, SpatialInput } from './dataset';

const SHARED_ALLOCATOR: BatchAllocator = {
  float32: (n) => new Float32Array(new SharedArrayBuffer(n * 4)),
  int32: (n) => new Int32Array(new SharedArrayBuffer(n * 4)),
  accepts: (a) => a.buffer instanceof SharedArrayBuffer,
};

/** Per patch: cache index, batch slot, transpose, flipY, flipX, cropRow, cropCol, cropSize, gain, offset, augmented. */
const JOB_FIELDS = 11;

/** Declares a kernel in the worker under the name its callers use (the declaration's own name). */
function declaration(fn: (...args: never[]) => unknown): string {
  const src = fn.toString();
  const m = /^function\s*\*?\s*([\w$]+)/.exec(src);
  if (!m) throw new Error(`ParallelBatcher: cannot ship ${fn.name} to a worker (not a function declaration)`);
  return src;
}

function workerSource(): string {
  const kernels = [fillAxis, emptySampling, samplingOf, writeS2, writeS1, writeDem, writeOneHot, writeMask] as unknown as ((...a: never[]) => unknown)[];
  return `
'use strict';
const { parentPort } = require('node:worker_threads');
// Bundlers that keep function names wrap declarations in __name(); a no-op here.
const __name = (f) => f;
${kernels.map(declaration).join('\n')}
const S = ${PATCH_SIZE}, PIXELS = S * S, WC = ${WORLDCOVER_CLASS_COUNT}, IGNORE_CODE = ${WORLDCOVER_STORE_IGNORE}, IGNORE_INDEX = ${IGNORE_INDEX}, S2_SCALE = ${S2_SCALE};
let cache = null;
const sampling = emptySampling(S);
parentPort.on('message', (msg) => {
  if (msg.cache) { cache = msg.cache; return; }
  const { id, jobs, outs, mask, s1, dem } = msg;
  try {
    for (let j = 0; j < jobs.length; j += ${JOB_FIELDS}) {
      const i = jobs[j], b = jobs[j + 1];
      const augmented = jobs[j + 10] === 1;
      const t = { transpose: jobs[j + 2] === 1, flipY: jobs[j + 3] === 1, flipX: jobs[j + 4] === 1, cropRow: jobs[j + 5], cropCol: jobs[j + 6], cropSize: jobs[j + 7], gain: jobs[j + 8], offset: jobs[j + 9] };
      const s = samplingOf(t, S, sampling);
      if (outs.s2) writeS2(cache.s2, i * PIXELS * 12, S, s, S2_SCALE * (augmented ? t.gain : 1), augmented ? t.offset : 0, outs.s2, b * PIXELS * 12);
      if (outs.s1) writeS1(cache.s1, i * PIXELS * 2, S, s, s1.scale, s1.shift, outs.s1, b * PIXELS * 2);
      if (outs.dem) writeDem(cache.dem, i * PIXELS, S, s, dem.scale, dem.shift, outs.dem, b * PIXELS);
      if (outs.worldcover) writeOneHot(cache.worldcover, i * PIXELS, WC, S, s, IGNORE_CODE, outs.worldcover, b * PIXELS * WC);
      if (mask) writeMask(cache.worldcover, i * PIXELS, S, s, IGNORE_CODE, IGNORE_INDEX, mask, b * PIXELS);
    }
    parentPort.postMessage({ id });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.stack || err) });
  }
});
`;
}

function identity(): PatchAugmentation {
  return { transpose: false, flipY: false, flipX: false, cropRow: 0, cropCol: 0, cropSize: PATCH_SIZE, gain: 1, offset: 0 };
}

export class ParallelBatcher {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(private readonly ds: PatchDataset, options: { threads?: number } = {}) {
    const resident = ds.cache.resident;
    this.threads = resident ? Math.max(1, Math.floor(options.threads ?? availableParallelism())) : 1;
    if (this.threads === 1) return;
    const source = workerSource();
    const cache: Partial<Record<CachedModality, unknown>> = {};
    for (const m of ['s2', 's1', 'dem', 'worldcover'] as const) cache[m] = ds.cache.residentArray(m);
    for (let k = 0; k < this.threads - 1; k++) {
      const w = new Worker(source, { eval: true });
      w.unref(); // idle workers must not keep the process alive
      w.on('message', (msg: { id: number; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`batch worker: ${msg.error}`));
        else p.resolve();
      });
      w.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      w.postMessage({ cache });
      this.workers.push(w);
    }
  }

  /** Same result as `ds.getBatch(indices, options)`; batch arrays are shared memory (pass one back via `into`). */
  async getBatch(indices: readonly number[], options: BatchOptions): Promise<Batch> {
    if (this.workers.length === 0) return this.ds.getBatch(indices, options);
    const plan = this.ds.planBatch(indices, options, SHARED_ALLOCATOR);
    const n = plan.indices.length;
    const parts = this.workers.length + 1;
    const share = Math.ceil(n / parts);
    const runs: Promise<void>[] = [];
    for (let k = 0; k < this.workers.length; k++) {
      const from = (k + 1) * share;
      const to = Math.min(n, from + share);
      if (from >= to) break;
      runs.push(this.dispatch(this.workers[k], plan, from, to));
    }
    this.ds.fillSpatial(plan, 0, Math.min(share, n)); // the calling thread takes the first share
    await Promise.all(runs);
    return this.ds.finishBatch(plan, options);
  }

  private dispatch(worker: Worker, plan: BatchPlan, from: number, to: number): Promise<void> {
    const jobs = new Float64Array((to - from) * JOB_FIELDS);
    for (let b = from, j = 0; b < to; b++, j += JOB_FIELDS) {
      const t = plan.augmentations[b] ?? identity();
      jobs.set([plan.indices[b], b, +t.transpose, +t.flipY, +t.flipX, t.cropRow, t.cropCol, t.cropSize, t.gain, t.offset, plan.augmentations[b] ? 1 : 0], j);
    }
    const outs: Partial<Record<SpatialInput, Float32Array>> = {};
    for (const m of plan.spatial) outs[m] = plan.outs[m];
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, jobs, outs, mask: plan.mask, s1: plan.s1, dem: plan.dem });
    });
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
