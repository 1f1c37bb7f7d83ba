/**
 * The `loader` workload: how fast training batches are assembled from the packed cache. One "train" step builds a
 * batch of 32 patches with Sentinel-2 (12 bands, Float32 NHWC), Sentinel-1 (VH, VV) and the WorldCover mask target
 * (Int32), with the default augmentation (random dihedral transform, crop + bilinear resize back to 120 x 120 with
 * probability 0.5, S2 gain/offset jitter; the mask nearest-neighbour with the same geometry); one "infer" step
 * builds the same batch without augmentation. Batch arrays are reused between steps (`into`), as a training loop
 * that copies each batch into tensors does. Only the assembly is timed: nothing consumes the batches.
 *
 * Batches are assembled by a ParallelBatcher on all cores (the calling thread and workers take patches from a shared
 * counter), with the WebAssembly SIMD kernels. Environment switches for comparisons:
 *   LOADER_THREADS=1   the single-thread `getBatch` path (or N threads)
 *   LOADER_SIMD=0      the JavaScript kernels instead of WebAssembly SIMD
 *
 * Data: a 64-patch synthetic ben-ge dataset from the project's generator (`terrafuse synth`, seed 1), decoded
 * into its packed cache (30 MB of records; with the two 28 MB batch buffers the working set is well beyond a 32 MB
 * last-level cache, so records come from memory as they would from a real dataset's cache). Generated once into
 * the OS temp folder and reused by later runs (keyed by generator version, like its cache next to it); setup and
 * the first step of each kind are not timed.
 * Use many steps for a stable figure: `terrafuse bench --workload loader --steps 300 --json`.
 */
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setSimdKernels } from '../../src-main/core/data/assemble';
import { PatchDataset } from '../../src-main/core/data/dataset';
import { ParallelBatcher } from '../../src-main/core/data/parallel-batcher';
import type { Batch } from '../../src-main/core/data/modalities';
import { createRng, type Rng } from '../../src-main/core/data/rng';
import { generateBenGe, GENERATOR_VERSION } from '../../src-main/core/data/synth';
import type { Workload, WorkloadSpec } from '../workload';

export const LOADER_BATCH = 32;
const PATCHES = 64;
const SEED = 1;

interface LoaderState {
  ds: PatchDataset;
  batcher: ParallelBatcher;
  order: number[];
  rng: Rng;
}

/**
 * The synthetic dataset of `patches` patches, generated on first use into the OS temp folder. Written under a
 * private name and renamed into place, so concurrent runs never see a half-written dataset.
 */
async function benchDataset(patches: number): Promise<string> {
  const root = join(tmpdir(), `terrafuse-bench-loader-v${GENERATOR_VERSION}-${patches}-s${SEED}`);
  if (existsSync(root)) return root;
  const scratch = mkdtempSync(join(tmpdir(), 'tf-bench-loader-'));
  try {
    const out = join(scratch, 'data');
    await generateBenGe({ out, patches, seed: SEED, name: 'bench' });
    try {
      renameSync(out, root);
    } catch (err) {
      if (!existsSync(root)) throw err; // another run put it in place first
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return root;
}

export function loaderWorkload(options: { patches?: number; batch?: number; threads?: number } = {}): Workload {
  const batch = options.batch ?? LOADER_BATCH;
  const patches = options.patches ?? PATCHES;
  let state: LoaderState | null = null;
  let setup: Promise<LoaderState> | null = null;
  let cursor = 0;
  let trainBatch: Batch | undefined;
  let inferBatch: Batch | undefined;

  const ready = async (): Promise<LoaderState> => {
    if (state) return state;
    setup ??= (async () => {
      const root = await benchDataset(patches);
      const ds = await PatchDataset.open(root, { cacheDir: `${root}-cache` });
      const rng = createRng('bench/loader');
      const envThreads = Number(process.env.LOADER_THREADS);
      const threads = options.threads ?? (Number.isInteger(envThreads) && envThreads > 0 ? envThreads : undefined);
      if (process.env.LOADER_SIMD === '0') setSimdKernels(false);
      const batcher = new ParallelBatcher(ds, { threads });
      return { ds, batcher, order: rng.fork('order').shuffle([...Array(ds.size).keys()]), rng };
    })();
    state = await setup;
    return state;
  };
  const nextIndices = (s: LoaderState): number[] => {
    const out: number[] = [];
    for (let k = 0; k < batch; k++) out.push(s.order[(cursor + k) % s.order.length]);
    cursor = (cursor + batch) % s.order.length;
    return out;
  };

  return {
    batch,
    async trainStep() {
      const s = await ready();
      trainBatch = await s.batcher.getBatch(nextIndices(s), { modalities: ['s2', 's1'], targets: ['worldcover'], augment: true, rng: s.rng, into: trainBatch });
    },
    async inferStep() {
      const s = await ready();
      inferBatch = await s.batcher.getBatch(nextIndices(s), { modalities: ['s2', 's1'], targets: ['worldcover'], into: inferBatch });
    },
    dispose() {
      if (state) {
        void state.batcher.close();
        state.ds.close();
        setSimdKernels(true);
      }
      state = null;
    },
  };
}

export const LOADER_WORKLOAD: WorkloadSpec = {
  name: 'loader',
  description: `Batch assembly from the packed cache (64 synthetic ben-ge patches): ${LOADER_BATCH} patches of S2 (12) + S1 (2) + WorldCover mask on all cores; "train" = with augmentation (flips/rotations, crop + bilinear resize, jitter), "infer" = without (use --steps 300)`,
  create: () => loaderWorkload(),
};
