import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDatasetIndex } from '../../../src-main/core/data/layouts/detect';
import { modalityCounts } from '../../../src-main/core/data/layouts/types';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { ERA5_VARIABLES, IGNORE_INDEX, WORLDCOVER_CLASSES } from '../../../src-main/core/data/modalities';
import { patchFootprint, toWgs84 } from '../../../src-main/core/data/georef';
import { FIXTURE_EPSG, writeBengeFixture, type BengeFixture } from './helpers/write-benge';

let dir: string;
let fx: BengeFixture;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tf-benge-'));
  fx = writeBengeFixture(join(dir, 'mini'), { patches: 12, seed: 5 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ben-ge layout', () => {
  it('detects the layout and indexes every patch, modality, table and split', async () => {
    const index = await readDatasetIndex(fx.root);
    expect(index.layout).toBe('ben-ge');
    expect(index.name).toBe('mini');
    expect(index.patches.map((p) => p.id)).toEqual(fx.ids);
    expect(modalityCounts(index)).toMatchObject({ s2: 12, s1: 12, dem: 12, worldcover: 12, season: 12, era5: 12, worldcover_fractions: 12 });
    // Climate zone 0 (water) is read as a value; it becomes "unknown" only as a target.
    expect(modalityCounts(index).climatezone).toBe(12);
    expect(index.splitSource).toBe('csv');
    for (const s of ['train', 'val', 'test'] as const) expect(index.patches.filter((p) => p.split === s).map((p) => p.id)).toEqual(fx.splits[s]);
    expect(index.problems).toEqual([]);
    const p3 = index.patches[3];
    expect(p3.meta.s1Id).toBe(fx.s1Ids[3]);
    expect(p3.meta.season).toBeCloseTo(0.3, 10);
    expect(p3.meta.era5).toHaveLength(ERA5_VARIABLES.length);
    expect(p3.files.s2!.B8A.path).toBe(join(fx.root, 'sentinel-2', fx.ids[3], `${fx.ids[3]}_B8A.tif`));
    expect(p3.files.s1!.VV.path).toBe(join(fx.root, 'sentinel-1', fx.s1Ids[3], `${fx.s1Ids[3]}_VV.tif`));
  });

  it('loads batches of every modality and target with the tutorial normalisation', async () => {
    const ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'cache') });
    expect(ds.size).toBe(12);
    expect(ds.splits.train).toEqual(fx.splits.train.map((id) => fx.ids.indexOf(id)));
    const idx = [0, 1, 6];
    const b = ds.getBatch(idx, {
      modalities: ['s2', 's1', 'dem', 'worldcover', 'climatezone', 'season', 'era5'],
      targets: ['lulc', 'landcover', 'worldcover', 'climatezone', 'season'],
    });
    expect(b.ids).toEqual(idx.map((i) => fx.ids[i]));
    expect(b.inputs.s2!.shape).toEqual([3, 120, 120, 12]);
    expect(b.inputs.s1!.shape).toEqual([3, 120, 120, 2]);
    expect(b.inputs.dem!.shape).toEqual([3, 120, 120, 1]);
    expect(b.inputs.worldcover!.shape).toEqual([3, 120, 120, 11]);
    expect(b.inputs.climatezone!.shape).toEqual([3, 30]);
    expect(b.inputs.era5!.shape).toEqual([3, 9]);
    const range = (a: Float32Array): [number, number] => a.reduce<[number, number]>(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]);
    // Fixture S2 DNs are 200..3850 -> 0.02..0.385; S1 dB around -22/-16 with noise, clipped to [-25, 0] -> [0, 1].
    const [s2lo, s2hi] = range(b.inputs.s2!.data);
    expect(s2lo).toBeGreaterThanOrEqual(0.02);
    expect(s2hi).toBeLessThanOrEqual(0.385);
    const [s1lo, s1hi] = range(b.inputs.s1!.data);
    expect(s1lo).toBe(0);
    expect(s1hi).toBeLessThanOrEqual(1);
    expect(s1hi).toBeGreaterThan(0.5);
    // lulc: dominant class of the fractions CSV (= of the map here): stripe 0 covers >= 60 of 120 columns.
    const lulc = b.targets.lulc as Int32Array;
    idx.forEach((i, k) => expect(lulc[k]).toBe(i % 11));
    // landcover: classes >= 10 % of the patch; the worldcover mask: class indices of the map.
    const lc = b.targets.landcover as Float32Array;
    expect(Array.from(lc.slice(0, 11)).filter((x) => x === 1).length).toBe(3);
    const mask = b.targets.worldcover as Int32Array;
    const code = fx.maps[1][5 * 120 + 100];
    expect(mask[14400 + 5 * 120 + 100]).toBe(WORLDCOVER_CLASSES.findIndex((c) => c.code === code));
    // one-hot input sums to 1 per pixel
    const oh = b.inputs.worldcover!.data;
    for (let px = 0; px < 50; px++) expect(oh.slice(px * 11, px * 11 + 11).reduce((s, v) => s + v, 0)).toBe(1);
    // climate zone: code 14 -> index 13; patch 6 has code 0 (water) -> IGNORE
    const cz = b.targets.climatezone as Int32Array;
    expect(cz[0]).toBe(13);
    expect(cz[2]).toBe(IGNORE_INDEX);
    expect(Array.from(b.inputs.climatezone!.data.slice(60, 90)).every((v) => v === 0)).toBe(true);
    expect(b.targets.season![1]).toBeCloseTo(0.1, 6);
  });

  it('computes the footprint from the raster transform and agrees with the meta lon/lat', async () => {
    const ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'cache') });
    const f = ds.footprint(4)!;
    expect(f.source).toBe('raster');
    expect(f.epsg).toBe(FIXTURE_EPSG);
    const [x0, y0] = fx.origins[4];
    expect(f.corners).toEqual([[x0, y0], [x0 + 1200, y0], [x0 + 1200, y0 - 1200], [x0, y0 - 1200]]);
    const centre = toWgs84(FIXTURE_EPSG, x0 + 600, y0 - 600)!;
    const [w, s, e, n] = f.bboxWgs84!;
    expect(centre[0]).toBeGreaterThan(w);
    expect(centre[0]).toBeLessThan(e);
    expect(centre[1]).toBeGreaterThan(s);
    expect(centre[1]).toBeLessThan(n);
    // UTM 32N at x = 500000 is the central meridian, 9 deg E.
    expect(toWgs84(FIXTURE_EPSG, 500000, 5300000)![0]).toBeCloseTo(9, 9);
    expect(toWgs84(99999, 0, 0)).toBeNull();
    // Without rasters, the meta lon/lat is the fallback: a 1.2 km square around the centre.
    const meta = patchFootprint(null, { lon: 9.5, lat: 48 })!;
    expect(meta.source).toBe('metadata');
    const [mw, ms, me, mn] = meta.bboxWgs84!;
    expect((mw + me) / 2).toBeCloseTo(9.5, 9);
    expect((ms + mn) / 2).toBeCloseTo(48, 9);
    expect((mn - ms) * 111_320).toBeCloseTo(1200, 3);
    expect(patchFootprint(null, {})).toBeNull();
  });

  it('counts missing modalities without failing', async () => {
    const other = writeBengeFixture(join(dir, 'holes'), { patches: 3, seed: 2, name: 'holes', era5: false });
    rmSync(join(other.root, 'dem', `${other.ids[1]}_dem.tif`));
    rmSync(join(other.root, 'sentinel-1', other.s1Ids[2]), { recursive: true });
    const index = await readDatasetIndex(other.root);
    expect(modalityCounts(index)).toMatchObject({ s2: 3, s1: 2, dem: 2, worldcover: 3 });
    expect(modalityCounts(index).era5).toBeUndefined();
    const ds = await PatchDataset.fromIndex(index, { cacheDir: join(dir, 'cache-holes') });
    expect(ds.indices({ require: ['s2', 's1', 'dem'] })).toEqual([0]);
    expect(() => ds.getBatch([1], { modalities: ['dem'] })).toThrow(/has no dem/);
  });
});
