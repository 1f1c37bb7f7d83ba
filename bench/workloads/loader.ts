/**
 * The `loader` workload: how fast training batches are assembled from the packed cache. One "train" step builds a
 * batch of 32 patches with Sentinel-2 (12 bands), Sentinel-1 (VH, VV) and the WorldCover mask target, with the
 * default augmentation (random dihedral transform, crop + resize with probability 0.5, S2 gain/offset jitter);
 * one "infer" step builds the same batch without augmentation. Batch arrays are reused between steps (`into`), as
 * a training loop that copies each batch into tensors does.
 *
 * Batches are assembled by a ParallelBatcher on all cores (`LOADER_THREADS=1` in the environment measures the
 * single-thread `getBatch` path instead).
 *
 * Setup (first, untimed warm-up step): a 64-patch ben-ge dataset is written to a temporary folder and its cache
 * built. Use many steps for a stable figure: `terrafuse bench --workload loader --steps 300 --json`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PatchDataset } from '../../src-main/core/data/dataset';
import { ParallelBatcher } from '../../src-main/core/data/parallel-batcher';
import type { Batch } from '../../src-main/core/data/modalities';
import { createRng, type Rng } from '../../src-main/core/data/rng';
import { writeBengeFixture } from '../../test/core/data/helpers/write-benge';
import type { Workload, WorkloadSpec } from '../workload';

export const LOADER_BATCH = 32;
const PATCHES = 64;

interface LoaderState {
  dir: string;
  ds: PatchDataset;
  batcher: ParallelBatcher;
  order: number[];
  rng: Rng;
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
      const dir = mkdtempSync(join(tmpdir(), 'tf-bench-loader-'));
      const fx = writeBengeFixture(join(dir, 'bench'), { patches, seed: 1 });
      const ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'cache') });
      const rng = createRng('bench/loader');
      const envThreads = Number(process.env.LOADER_THREADS);
      const threads = options.threads ?? (Number.isInteger(envThreads) && envThreads > 0 ? envThreads : undefined);
      const batcher = new ParallelBatcher(ds, { threads });
      return { dir, ds, batcher, order: rng.fork('order').shuffle([...Array(ds.size).keys()]), rng };
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
        rmSync(state.dir, { recursive: true, force: true });
      }
      state = null;
    },
  };
}

export const LOADER_WORKLOAD: WorkloadSpec = {
  name: 'loader',
  description: `Batch assembly from the packed cache: ${LOADER_BATCH} patches of S2 (12) + S1 (2) + WorldCover mask on all cores; "train" = with augmentation, "infer" = without (use --steps 300)`,
  create: () => loaderWorkload(),
};
