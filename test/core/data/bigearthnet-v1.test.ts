import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDatasetIndex } from '../../../src-main/core/data/layouts/detect';
import { modalityCounts, type DatasetIndex } from '../../../src-main/core/data/layouts/types';
import { decodePatch } from '../../../src-main/core/data/decode-patch';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { readRaster } from '../../../src-main/core/geo/raster';
import { BEN19_CLASSES, BEN43_CLASSES } from '../../../src-main/core/data/bigearthnet-nomenclature';
import { S2_BANDS } from '../../../src-main/core/data/modalities';

const ROOT = join(__dirname, '../../../../shared/data/bigearthnet-v1');
const reference = JSON.parse(readFileSync(join(ROOT, 'REFERENCE.json'), 'utf8')) as Record<string, { bands: { samples: [number, number, number][] }[] }>;

interface Json { labels: string[]; coordinates: Record<string, number>; corresponding_s2_patch?: string }
const json = (archive: string, id: string): Json => JSON.parse(readFileSync(join(ROOT, archive, id, `${id}_labels_metadata.json`), 'utf8')) as Json;

let index: DatasetIndex;
let cacheDir: string;
beforeAll(async () => {
  index = await readDatasetIndex(ROOT);
  cacheDir = mkdtempSync(join(tmpdir(), 'tf-ben1-'));
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('BigEarthNet v1 (real shared patches)', () => {
  it('finds 14 S2 and 9 S1 patches, 6 complete pairs, 17 patches keyed by S2 name', () => {
    expect(index.layout).toBe('bigearthnet-v1');
    const counts = modalityCounts(index);
    expect(counts.s2).toBe(14);
    expect(counts.s1).toBe(9);
    expect(index.patches.length).toBe(17);
    expect(index.patches.filter((p) => p.files.s2 && p.files.s1).length).toBe(6);
    expect(index.problems).toEqual([]);
    // Every S1 patch is attached to the S2 name its JSON gives.
    for (const s1 of readdirSync(join(ROOT, 'BigEarthNet-S1'))) {
      const partner = json('BigEarthNet-S1', s1).corresponding_s2_patch!;
      expect(index.patches.find((p) => p.id === partner)?.meta.s1Id).toBe(s1);
    }
  });

  it('reads labels as in the JSON (43 classes) and maps them to 19 classes', () => {
    for (const id of readdirSync(join(ROOT, 'BigEarthNet-S2'))) {
      const p = index.patches.find((x) => x.id === id)!;
      expect(p.labels.ben43).toEqual(json('BigEarthNet-S2', id).labels);
      expect(p.labels.ben19!.length).toBeGreaterThan(0);
      for (const l of p.labels.ben19!) expect(BEN19_CLASSES).toContain(l);
    }
    const p = index.patches.find((x) => x.id === 'S2A_MSIL2A_20170613T101031_87_48')!;
    expect(p.labels.ben19).toEqual(['Arable land', 'Land principally occupied by agriculture, with significant areas of natural vegetation']);
  });

  it('parses 5-digit time fields and gives the winter patch a winter season', () => {
    const odd = index.patches.find((x) => x.id === 'S2B_MSIL2A_20170924T93021_41_29')!;
    expect(odd.meta.timestampS2).toBe('2017-09-24 09:30:21');
    const winter = index.patches.find((x) => x.id === 'S2A_MSIL2A_20171221T112501_56_35')!;
    expect(winter.meta.season!).toBeLessThan(0.05);
    const summer = index.patches.find((x) => x.id === 'S2A_MSIL2A_20170617T113321_4_55')!;
    expect(summer.meta.season!).toBeGreaterThan(0.99);
  });

  it('footprints from the GeoTIFFs equal the UTM corners of the JSONs (S1 JSONs spell lower-right y "lly")', async () => {
    const ds = await PatchDataset.fromIndex(index, { cacheDir });
    expect(ds.problems).toEqual([]);
    for (let i = 0; i < ds.size; i++) {
      const p = index.patches[i];
      const j = p.files.s2 ? json('BigEarthNet-S2', p.id) : json('BigEarthNet-S1', p.meta.s1Id!);
      const c = j.coordinates;
      const lry = c.lry ?? c.lly;
      const f = ds.footprint(i)!;
      expect(f.source).toBe('raster');
      expect(f.corners[0]).toEqual([c.ulx, c.uly]);
      expect(f.corners[2]).toEqual([c.lrx, lry]);
      expect(p.meta.statedBounds!.bounds).toEqual([c.ulx, lry, c.lrx, c.uly]);
      const [w, s, e, n] = f.bboxWgs84!;
      expect(e - w).toBeGreaterThan(0.01);
      expect(n - s).toBeGreaterThan(0.01);
      expect(w).toBeGreaterThan(-10);
      expect(e).toBeLessThan(35); // Europe: Portugal .. eastern Finland
      expect(s).toBeGreaterThan(35);
      expect(n).toBeLessThan(70);
    }
  });

  it('decodes 10 m bands and S1 exactly as GDAL reads them, 20/60 m bands by bilinear resampling', async () => {
    const id = 'S2A_MSIL2A_20170613T101031_87_48';
    const p = index.patches.find((x) => x.id === id)!;
    const d = await decodePatch(p);
    expect(d.problems).toEqual([]);
    const b02 = reference[`BigEarthNet-S2/${id}/${id}_B02.tif`].bands[0].samples;
    for (const [r, c, v] of b02) expect(d.s2![(r * 120 + c) * 12 + 1]).toBe(v);
    const vv = reference[`BigEarthNet-S1/${p.meta.s1Id}/${p.meta.s1Id}_VV.tif`].bands[0].samples;
    for (const [r, c, v] of vv) expect(d.s1![(r * 120 + c) * 2 + 1]).toBeCloseTo(v, 5);
    // B05 (20 m, 60 x 60): target pixel (y, x) sits at source coordinate ((x + 0.5) / 2 - 0.5, (y + 0.5) / 2 - 0.5).
    const raw = (await readRaster(p.files.s2!.B05.path)).bands[0];
    const at = (row: number, col: number): number => raw[Math.min(Math.max(row, 0), 59) * 60 + Math.min(Math.max(col, 0), 59)];
    const b05 = S2_BANDS.indexOf('B05');
    for (const [y, x] of [[1, 1], [10, 37], [57, 2], [118, 118], [0, 0], [64, 99]]) {
      const u = Math.min(Math.max((x + 0.5) / 2 - 0.5, 0), 59);
      const v = Math.min(Math.max((y + 0.5) / 2 - 0.5, 0), 59);
      const c0 = Math.floor(u), r0 = Math.floor(v), fu = u - c0, fv = v - r0;
      const want = (1 - fv) * ((1 - fu) * at(r0, c0) + fu * at(r0, c0 + 1)) + fv * ((1 - fu) * at(r0 + 1, c0) + fu * at(r0 + 1, c0 + 1));
      expect(d.s2![(y * 120 + x) * 12 + b05]).toBeCloseTo(want, 2);
    }
  });

  it('resamples 20 m and 60 m bands exactly as gdalwarp -r bilinear onto the 10 m grid (edges included)', async () => {
    // Oracle: GDAL 3.6.2, `gdalwarp -r bilinear -ts 120 120 -te 404400 5341200 405600 5342400 -ot Float32` of each
    // band of S2A_MSIL2A_20170613T101031_87_48, sampled at [row, col] (computed once; GDAL is not needed to test).
    const gdal: Record<string, [number, number, number][]> = {
      B05: [[0, 0, 1784.0], [0, 1, 1787.0], [1, 0, 1796.5], [0, 119, 1241.0], [119, 119, 1659.0], [119, 0, 1490.0], [1, 1, 1790.0625], [2, 3, 1564.1875], [37, 58, 1679.625], [60, 61, 1898.375], [100, 7, 572.125], [118, 117, 1503.625]],
      B01: [[0, 0, 610.0], [0, 1, 610.0], [1, 0, 610.0], [0, 119, 382.0], [119, 119, 483.0], [119, 0, 546.0], [1, 1, 610.0], [2, 3, 591.6667], [37, 58, 304.0625], [60, 61, 409.9583], [100, 7, 204.625], [118, 117, 483.0]],
      B12: [[0, 0, 2057.0], [0, 1, 2068.75], [1, 0, 2072.25], [0, 119, 1376.0], [119, 119, 2009.0], [119, 0, 521.0], [1, 1, 2074.3125], [2, 3, 1792.5], [37, 58, 855.9375], [60, 61, 958.0625], [100, 7, 511.5], [118, 117, 1712.375]],
    };
    const p = index.patches.find((x) => x.id === 'S2A_MSIL2A_20170613T101031_87_48')!;
    const d = await decodePatch(p);
    for (const [band, samples] of Object.entries(gdal)) {
      const c = S2_BANDS.indexOf(band as (typeof S2_BANDS)[number]);
      for (const [row, col, v] of samples) expect(d.s2![(row * 120 + col) * 12 + c]).toBeCloseTo(v, 3);
    }
  });

  it('serves BigEarthNet 19/43-class targets in nomenclature order', async () => {
    const ds = await PatchDataset.fromIndex(index, { cacheDir });
    const pairs = ds.indices({ require: ['s2', 's1', 'ben19'] });
    expect(pairs.length).toBe(6);
    const b = ds.getBatch(pairs, { modalities: ['s2', 's1'], targets: ['ben19', 'ben43'] });
    expect(b.targets.ben43!.length).toBe(6 * 43);
    pairs.forEach((i, k) => {
      const labels = index.patches[i].labels.ben43!;
      const hot = Array.from(b.targets.ben43!.slice(k * 43, (k + 1) * 43));
      expect(BEN43_CLASSES.filter((_, c) => hot[c] === 1)).toEqual([...labels].sort((x, y) => BEN43_CLASSES.indexOf(x as never) - BEN43_CLASSES.indexOf(y as never)));
    });
  });
});
