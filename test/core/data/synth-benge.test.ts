import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBenGe } from '../../../src-main/core/data/synth';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { inspectDataset } from '../../../src-main/core/data/inspect';
import { argmax } from '../../../src-main/core/data/targets';

let dir: string;
let out: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tf-synth-read-'));
  out = join(dir, 'synth-small');
  await generateBenGe({ out, patches: 8, seed: 17 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reading `terrafuse synth` output (ben-ge layout)', () => {
  it('indexes every patch and modality without problems', async () => {
    const s = await inspectDataset(out);
    expect(s.layout).toBe('ben-ge');
    expect(s.patches).toBe(8);
    expect(s.modalities).toMatchObject({ s2: 8, s1: 8, dem: 8, worldcover: 8, season: 8, era5: 8, worldcover_fractions: 8 });
    expect(s.missing).toEqual({});
    expect(s.problems.count).toBe(0);
    expect(s.splits.source).toBe('csv');
    expect(s.splits.train + s.splits.val + s.splits.test).toBe(8);
    expect(s.crs.every((c) => c >= 32601 && c <= 32660)).toBe(true);
  });

  it('loads consistent modalities and targets', async () => {
    const ds = await PatchDataset.open(out, { cacheDir: join(dir, 'cache') });
    expect(ds.problems).toEqual([]);
    const all = ds.indices({ require: ['s2', 's1', 'dem', 'worldcover', 'era5', 'season', 'lulc', 'landcover'] });
    expect(all.length).toBe(8);
    const b = ds.getBatch(all, { modalities: ['s2', 's1', 'dem', 'era5'], targets: ['lulc', 'worldcover', 'landcover'] });
    // lulc = argmax of the fractions CSV, which synth computes from the map: the mask's majority class.
    all.forEach((_, k) => {
      const counts = new Array(11).fill(0);
      const m = b.targets.worldcover!.subarray(k * 14400, (k + 1) * 14400);
      for (const c of m) if (c >= 0) counts[c]++;
      expect(b.targets.lulc![k]).toBe(argmax(counts));
    });
    for (const v of b.inputs.era5!.data) expect(Number.isFinite(v)).toBe(true);
    // Footprints come from the rasters and agree with the meta lon/lat within the patch size.
    for (const i of all) {
      const f = ds.footprint(i)!;
      const { lon, lat } = ds.index.patches[i].meta;
      const [w, s, e, n] = f.bboxWgs84!;
      expect(lon!).toBeGreaterThan(w - 0.001);
      expect(lon!).toBeLessThan(e + 0.001);
      expect(lat!).toBeGreaterThan(s - 0.001);
      expect(lat!).toBeLessThan(n + 0.001);
    }
  });
});
