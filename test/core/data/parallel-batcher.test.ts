import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { ParallelBatcher } from '../../../src-main/core/data/parallel-batcher';
import { createRng } from '../../../src-main/core/data/rng';
import { setSimdKernels } from '../../../src-main/core/data/assemble';
import { writeBengeFixture, type BengeFixture } from './helpers/write-benge';

let dir: string;
let fx: BengeFixture;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tf-par-'));
  fx = writeBengeFixture(join(dir, 'mini'), { patches: 6, seed: 4 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('ParallelBatcher', () => {
  it('assembles exactly the batches of getBatch (same rng draws), in shared memory, reusing arrays', async () => {
    const ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'cache') });
    // The calling thread only waits: every patch goes through the workers' copy of the kernels.
    const batcher = new ParallelBatcher(ds, { threads: 3, callerWorks: false });
    expect(batcher.threads).toBe(3);
    try {
      const idx = [5, 0, 3, 3, 1, 2, 4];
      const options = { modalities: ['s2', 's1', 'dem', 'worldcover', 'era5'] as ('s2' | 's1' | 'dem' | 'worldcover' | 'era5')[], targets: ['worldcover', 'lulc'] as ('worldcover' | 'lulc')[], augment: true };
      const want = ds.getBatch(idx, { ...options, rng: createRng(99) });
      const got = await batcher.getBatch(idx, { ...options, rng: createRng(99) });
      for (const m of options.modalities) expect(maxAbsDiff(got.inputs[m]!.data, want.inputs[m]!.data)).toBe(0);
      expect(maxAbsDiff(got.targets.worldcover!, want.targets.worldcover!)).toBe(0);
      expect(Array.from(got.targets.lulc!)).toEqual(Array.from(want.targets.lulc!));
      expect(got.inputs.s2!.data.buffer).toBeInstanceOf(SharedArrayBuffer);
      // With SIMD the arrays live in the kernels' shared memory: every thread writes patches straight into them.
      expect(batcher.simd).toBe(true);
      for (const a of [got.inputs.s2!.data, got.inputs.s1!.data, got.inputs.dem!.data, got.targets.worldcover!]) expect(batcher.inKernelMemory(a)).toBe(true);
      const again = await batcher.getBatch(idx, { ...options, augment: false, into: got });
      expect(again.inputs.s2!.data).toBe(got.inputs.s2!.data);
      const plain = ds.getBatch(idx, { ...options, augment: false });
      expect(maxAbsDiff(again.inputs.s2!.data, plain.inputs.s2!.data)).toBe(0);
      expect(maxAbsDiff(again.inputs.worldcover!.data, plain.inputs.worldcover!.data)).toBe(0);
      expect(batcher.stats).toMatchObject({ patches: 14, byWorkers: 14 });
    } finally {
      await batcher.close();
    }
  });

  it('runs overlapping calls one after the other, each with its own result', async () => {
    const ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'cache') });
    const batcher = new ParallelBatcher(ds, { threads: 2 });
    try {
      const options = { modalities: ['s2', 's1'] as ('s2' | 's1')[], targets: ['worldcover'] as 'worldcover'[], augment: true };
      const lists = [[0, 1, 2, 3, 4, 5], [5, 4, 3], [2, 2, 2, 2, 2, 1, 0, 3]];
      // Not awaited in between: the batcher must not mix their patches.
      const got = await Promise.all(lists.map((idx, k) => batcher.getBatch(idx, { ...options, rng: createRng(k) })));
      lists.forEach((idx, k) => {
        const want = ds.getBatch(idx, { ...options, rng: createRng(k) });
        expect(maxAbsDiff(got[k].inputs.s2!.data, want.inputs.s2!.data)).toBe(0);
        expect(maxAbsDiff(got[k].inputs.s1!.data, want.inputs.s1!.data)).toBe(0);
        expect(maxAbsDiff(got[k].targets.worldcover!, want.targets.worldcover!)).toBe(0);
      });
      // A batch of more patches than the job table first held.
      const big = Array.from({ length: 70 }, (_, i) => i % 6);
      const b = await batcher.getBatch(big, { ...options, rng: createRng('big') });
      const w = ds.getBatch(big, { ...options, rng: createRng('big') });
      expect(maxAbsDiff(b.inputs.s2!.data, w.inputs.s2!.data)).toBe(0);
      expect(batcher.stats.patches).toBe(6 + 3 + 8 + 70);
    } finally {
      await batcher.close();
    }
  });

  it('uses the JavaScript kernels in the workers too when SIMD is switched off', async () => {
    const ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'cache') });
    setSimdKernels(false);
    const batcher = new ParallelBatcher(ds, { threads: 2, callerWorks: false });
    try {
      expect(batcher.simd).toBe(false);
      expect(batcher.inKernelMemory(new Float32Array(new SharedArrayBuffer(8)))).toBe(false);
      const idx = [0, 1, 2, 3, 4, 5];
      const options = { modalities: ['s2', 's1'] as ('s2' | 's1')[], targets: ['worldcover'] as 'worldcover'[], augment: true };
      const got = await batcher.getBatch(idx, { ...options, rng: createRng(7) });
      const want = ds.getBatch(idx, { ...options, rng: createRng(7) });
      expect(maxAbsDiff(got.inputs.s2!.data, want.inputs.s2!.data)).toBe(0);
      expect(maxAbsDiff(got.inputs.s1!.data, want.inputs.s1!.data)).toBe(0);
      expect(maxAbsDiff(got.targets.worldcover!, want.targets.worldcover!)).toBe(0);
      // And they agree with the SIMD kernels to float32 rounding.
      setSimdKernels(true);
      const fast = ds.getBatch(idx, { ...options, rng: createRng(7) });
      expect(maxAbsDiff(fast.inputs.s2!.data, want.inputs.s2!.data)).toBeLessThan(1e-6);
      expect(maxAbsDiff(fast.inputs.s2!.data, want.inputs.s2!.data)).toBeGreaterThan(0);
    } finally {
      setSimdKernels(true);
      await batcher.close();
    }
  });

  it('falls back to the calling thread for a streaming cache', async () => {
    const ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'cache'), maxResidentBytes: 0 });
    const batcher = new ParallelBatcher(ds, { threads: 4 });
    expect(batcher.threads).toBe(1);
    const b = await batcher.getBatch([0, 1], { modalities: ['s2'] });
    expect(b.inputs.s2!.shape).toEqual([2, 120, 120, 12]);
    await batcher.close();
    ds.close();
  });
});
