import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { detectLayout, readDatasetIndex } from '../../../src-main/core/data/layouts/detect';
import { DatasetError, type DataProblem } from '../../../src-main/core/data/problems';
import { seasonOfDate } from '../../../src-main/core/data/season';
import { writeGeoTiffSync } from '../../../src-main/core/geo/write';
import { FIXTURE_EPSG, fixtureTransform, writeBengeFixture, type BengeFixture } from './helpers/write-benge';

let dir: string;
let fx: BengeFixture;
let ds: PatchDataset;
const band = (p: number, b: string): string => join(fx.root, 'sentinel-2', fx.ids[p], `${fx.ids[p]}_${b}.tif`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tf-bad-'));
  fx = writeBengeFixture(join(dir, 'mini'), { patches: 7, seed: 13 });
  // Patch 1: truncated TIFF. Patch 2: missing band file. Patch 3: band of the wrong size.
  const b03 = band(1, 'B03');
  truncateSync(b03, Math.floor(readFileSync(b03).byteLength / 2));
  rmSync(band(2, 'B11'));
  writeGeoTiffSync(band(3, 'B05'), { width: 50, height: 50, bands: [new Uint16Array(2500).fill(900)], transform: fixtureTransform(fx.origins[3], 24), epsg: FIXTURE_EPSG });
  // Patch 4: NaN pixels in Sentinel-1 VV.
  const vv = new Float32Array(14400).fill(-12);
  for (let i = 0; i < 100; i++) vv[i * 7] = NaN;
  writeGeoTiffSync(join(fx.root, 'sentinel-1', fx.s1Ids[4], `${fx.s1Ids[4]}_VV.tif`), { width: 120, height: 120, bands: [vv], transform: fixtureTransform(fx.origins[4], 10), epsg: FIXTURE_EPSG });
  // Patch 5: not a TIFF at all (a text file under a .tif name).
  writeFileSync(join(fx.root, 'dem', `${fx.ids[5]}_dem.tif`), 'this is not a tiff, just text pretending');
  // Malformed CSV rows: a row with too few fields, and a non-numeric season for patch 6.
  const meta = join(fx.root, 'mini_meta.csv');
  const lines = readFileSync(meta, 'utf8').trim().split('\n');
  lines[7] = lines[7].replace(/,0\.6,0\.6,/, ',summer,0.6,');
  writeFileSync(meta, `${lines.join('\n')}\nbroken_row_without_enough_fields,1,2\n`);
  appendFileSync(join(fx.root, 'mini_era-5.csv'), `${fx.ids[0]},"unterminated quote\n`);
  ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'cache') });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsFor(file: string): DataProblem[] {
  return ds.problems.filter((p) => p.file === file);
}

describe('bad input: a clear problem naming the file and the reason; everything else loads', () => {
  it('truncated TIFF', () => {
    const [p] = problemsFor(band(1, 'B03'));
    expect(p.severity).toBe('error');
    expect(p.reason).toMatch(/truncat|corrupt|unreadable|outside/i);
    expect(p.patchId).toBe(fx.ids[1]);
    expect(ds.has(1, 's2')).toBe(false);
    expect(ds.has(1, 's1')).toBe(true);
  });

  it('missing band file', () => {
    const [p] = problemsFor(band(2, 'B11'));
    expect(p.reason).toMatch(/missing band file/);
    expect(ds.has(2, 's2')).toBe(false);
    expect(ds.has(2, 'dem')).toBe(true);
  });

  it('band of the wrong size', () => {
    const [p] = problemsFor(band(3, 'B05'));
    expect(p.reason).toMatch(/B05 is 50x50; expected 60x60 \(20 m\)/);
    expect(ds.has(3, 's2')).toBe(false);
  });

  it('NaN pixels: reported, loaded as no signal', () => {
    const [p] = problemsFor(join(fx.root, 'sentinel-1', fx.s1Ids[4], `${fx.s1Ids[4]}_VV.tif`));
    expect(p.severity).toBe('warning');
    expect(p.reason).toMatch(/100 nodata\/NaN pixels/);
    const s1 = ds.getBatch([4], { modalities: ['s1'] }).inputs.s1!.data;
    expect(s1[1]).toBe(0); // pixel 0, VV: NaN -> 0
    expect(s1[3]).toBeCloseTo((-12 + 25) / 25, 4); // pixel 1, VV
    for (const v of s1) expect(Number.isNaN(v)).toBe(false);
  });

  it('a file that is not a TIFF', () => {
    const [p] = problemsFor(join(fx.root, 'dem', `${fx.ids[5]}_dem.tif`));
    expect(p.reason).toMatch(/TIFF|tiff/);
    expect(ds.has(5, 'dem')).toBe(false);
    expect(ds.has(5, 's2')).toBe(true);
  });

  it('malformed CSV rows are skipped and reported with file and line', () => {
    const meta = ds.problems.filter((p) => p.file === join(fx.root, 'mini_meta.csv'));
    expect(meta.some((p) => /line 9: 3 fields, expected 9/.test(p.reason))).toBe(true);
    expect(meta.some((p) => /line 8: column season_s2: 'summer' is not a number/.test(p.reason))).toBe(true);
    // The unreadable season falls back to the one derived from the S2 timestamp; the rest of the row is kept.
    const season = ds.getBatch([5, 6], { modalities: ['season', 'climatezone'] }).inputs.season!.data;
    expect(season[0]).toBeCloseTo(0.5, 6);
    expect(season[1]).toBeCloseTo(seasonOfDate(new Date(Date.UTC(2017, 5, 13, 10, 10, 31))), 6);
    expect(ds.index.patches[6].meta.s1Id).toBe(fx.s1Ids[6]);
    const era = ds.problems.filter((p) => p.file === join(fx.root, 'mini_era-5.csv'));
    expect(era.length).toBeGreaterThan(0);
  });

  it('all other patches load completely', () => {
    expect(ds.indices({ require: ['s2', 's1', 'dem', 'worldcover'] })).toEqual([0, 4, 6]);
    const b = ds.getBatch([0, 4, 6], { modalities: ['s2', 's1', 'dem'], targets: ['lulc'] });
    expect(b.size).toBe(3);
  });

  it('an unknown layout is an error naming the folder and what was expected', async () => {
    const empty = join(dir, 'notes');
    mkdirSync(empty);
    writeFileSync(join(empty, 'readme.txt'), 'hello');
    expect(() => detectLayout(empty)).toThrow(DatasetError);
    await expect(readDatasetIndex(empty)).rejects.toThrow(/notes: unknown layout: expected ben-ge/);
    await expect(readDatasetIndex(join(dir, 'nope'))).rejects.toThrow(/dataset folder not found/);
  });
});
