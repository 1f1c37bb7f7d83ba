import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { decodePatch } from '../../../src-main/core/data/decode-patch';
import { normaliseS1, normaliseS2 } from '../../../src-main/core/data/normalise';
import type { CacheProgress } from '../../../src-main/core/data/cache/packed-cache';
import { createRng } from '../../../src-main/core/data/rng';
import { writeGeoTiffSync } from '../../../src-main/core/geo/write';
import { FIXTURE_EPSG, fixtureTransform, writeBengeFixture, type BengeFixture } from './helpers/write-benge';

let dir: string;
let fx: BengeFixture;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tf-cache-'));
  fx = writeBengeFixture(join(dir, 'mini'), { patches: 5, seed: 21 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('packed cache', () => {
  it('round-trips: cached batches equal the normalised direct decode (within the stored precision)', async () => {
    const events: CacheProgress[] = [];
    const ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'c1'), onProgress: (p) => events.push(p) });
    expect(ds.buildReport).toMatchObject({ decoded: 5, reused: 0 });
    const decodeEvents = events.filter((e) => e.phase === 'decode');
    expect(decodeEvents.at(-1)).toEqual({ phase: 'decode', done: 5, total: 5 });
    expect(decodeEvents.map((e) => e.done)).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 0; i < 5; i++) {
      const d = await decodePatch(ds.index.patches[i]);
      const b = ds.getBatch([i], { modalities: ['s2', 's1', 'dem'], targets: ['worldcover'] });
      // S2: integer DNs (the resampled 20/60 m bands are rounded: <= 0.5 DN).
      expect(maxAbsDiff(b.inputs.s2!.data, d.s2!.map(normaliseS2))).toBeLessThanOrEqual(0.5 / 10000 + 1e-7);
      // S1: 0.01 dB steps (<= 0.005 dB rounding) on a 25 dB range.
      expect(maxAbsDiff(b.inputs.s1!.data, d.s1!.map(normaliseS1))).toBeLessThanOrEqual(0.005 / 25 + 1e-6);
      const { mean, std } = ds.normalisation.dem;
      expect(maxAbsDiff(b.inputs.dem!.data, d.dem!.map((h) => (h - mean) / std))).toBeLessThan(1e-5);
      expect(Array.from(b.targets.worldcover!)).toEqual(Array.from(d.worldcover!));
    }
  });

  it('is reused when nothing changed, re-decodes only a changed patch, rebuilds when the patch list changes', async () => {
    const cacheDir = join(dir, 'c2');
    await PatchDataset.open(fx.root, { cacheDir });
    const again = await PatchDataset.open(fx.root, { cacheDir });
    expect(again.buildReport).toMatchObject({ decoded: 0, reused: 5 });

    // Rewrite B04 of patch 2 with a constant and a new mtime: only that patch is decoded again.
    const id = fx.ids[2];
    const b04 = join(fx.root, 'sentinel-2', id, `${id}_B04.tif`);
    writeGeoTiffSync(b04, { width: 120, height: 120, bands: [new Uint16Array(14400).fill(4321)], transform: fixtureTransform(fx.origins[2], 10), epsg: FIXTURE_EPSG });
    const later = new Date(Date.now() + 5000);
    utimesSync(b04, later, later);
    const changed = await PatchDataset.open(fx.root, { cacheDir });
    expect(changed.buildReport).toMatchObject({ decoded: 1, reused: 4 });
    const s2 = changed.getBatch([2], { modalities: ['s2'] }).inputs.s2!.data;
    expect(s2[3]).toBeCloseTo(0.4321, 6); // B04 is channel 3
    expect(s2[12 * 777 + 3]).toBeCloseTo(0.4321, 6);

    // Another dataset (other root, other patch list) in the same cache folder: everything is rebuilt.
    writeBengeFixture(join(dir, 'mini6'), { patches: 6, seed: 21 });
    const grown = await PatchDataset.open(join(dir, 'mini6'), { cacheDir });
    expect(grown.buildReport).toMatchObject({ decoded: 6, reused: 0 });
  });

  it('reuses batch arrays when asked, allocates one array per modality otherwise', async () => {
    const ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'c1') });
    const first = ds.getBatch([0, 1], { modalities: ['s2', 'worldcover'], targets: ['worldcover'] });
    const reused = ds.getBatch([3, 4], { modalities: ['s2', 'worldcover'], targets: ['worldcover'], into: first });
    expect(reused.inputs.s2!.data).toBe(first.inputs.s2!.data);
    expect(reused.targets.worldcover).toBe(first.targets.worldcover);
    const fresh = ds.getBatch([3, 4], { modalities: ['s2', 'worldcover'], targets: ['worldcover'] });
    expect(maxAbsDiff(fresh.inputs.s2!.data, reused.inputs.s2!.data)).toBe(0);
    // One-hot must be cleared before reuse: each pixel still has exactly one 1.
    const oh = reused.inputs.worldcover!.data;
    let ones = 0;
    for (let i = 0; i < oh.length; i++) ones += oh[i];
    expect(ones).toBe(2 * 14400);
  });

  it('streams records from disk when the cache is larger than the memory budget, with identical batches', async () => {
    const resident = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'c1') });
    const streamed = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'c1'), maxResidentBytes: 0 });
    expect(resident.cache.resident).toBe(true);
    expect(streamed.cache.resident).toBe(false);
    const opts = { modalities: ['s2', 's1', 'dem', 'worldcover'] as ('s2' | 's1' | 'dem' | 'worldcover')[], targets: ['worldcover' as const], augment: true };
    const a = resident.getBatch([4, 0, 2, 2], { ...opts, rng: createRng(8) });
    const b = streamed.getBatch([4, 0, 2, 2], { ...opts, rng: createRng(8) });
    for (const m of opts.modalities) expect(maxAbsDiff(a.inputs[m]!.data, b.inputs[m]!.data)).toBe(0);
    expect(maxAbsDiff(a.targets.worldcover!, b.targets.worldcover!)).toBe(0);
    expect(streamed.normalisation).toEqual(resident.normalisation);
    streamed.close();
  });

  it('serialises concurrent builds of one cache folder and takes over a stale lock', async () => {
    const cacheDir = join(dir, 'c3');
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, 'build.lock'), '999999999'); // a crashed builder's lock (no such process)
    const [a, b] = await Promise.all([PatchDataset.open(fx.root, { cacheDir }), PatchDataset.open(fx.root, { cacheDir })]);
    expect([a.buildReport.decoded, b.buildReport.decoded].sort()).toEqual([0, 5]);
    expect(existsSync(join(cacheDir, 'build.lock'))).toBe(false);
    const x = a.getBatch([0, 3], { modalities: ['s2', 's1'] });
    const y = b.getBatch([0, 3], { modalities: ['s2', 's1'] });
    expect(maxAbsDiff(x.inputs.s2!.data, y.inputs.s2!.data)).toBe(0);
    expect(maxAbsDiff(x.inputs.s1!.data, y.inputs.s1!.data)).toBe(0);
  });
});
