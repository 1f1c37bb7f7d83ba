import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDatasetIndex } from '../../../src-main/core/data/layouts/detect';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { writeGeoTiffSync } from '../../../src-main/core/geo/write';
import { fixtureTransform } from './helpers/write-benge';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tf-chips-'));
  mkdirSync(join(root, 'images'));
  mkdirSync(join(root, 'masks'));
  const chip = (name: string, bands: number, size: number, value: (b: number) => number): void => {
    const data = Array.from({ length: bands }, (_, b) => new Uint16Array(size * size).fill(value(b)));
    writeGeoTiffSync(join(root, 'images', name), { width: size, height: size, bands: data, transform: fixtureTransform([600000, 5000000], 1200 / size), epsg: 32631 }, { interleave: 'band' });
  };
  chip('forest.tif', 12, 120, (b) => 100 * (b + 1));
  chip('field.tif', 13, 64, (b) => 100 * (b + 1)); // EuroSAT-like: 13 bands, 64 px
  chip('odd.tif', 4, 64, () => 1);
  const mask = new Uint8Array(14400).fill(10);
  mask.fill(80, 0, 7200);
  writeGeoTiffSync(join(root, 'masks', 'forest.tif'), { width: 120, height: 120, bands: [mask], transform: fixtureTransform([600000, 5000000], 10), epsg: 32631 });
  writeFileSync(join(root, 'labels.csv'), 'file,label\nforest.tif,Tree cover\nfield,Cropland\nmissing.tif,Grassland\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('folder of GeoTIFF chips', () => {
  it('indexes chips by band count, labels from a CSV and mask rasters; reports what it cannot use', async () => {
    const index = await readDatasetIndex(root);
    expect(index.layout).toBe('chips');
    expect(index.patches.map((p) => p.id)).toEqual(['field', 'forest']);
    expect(index.problems.some((p) => p.file === join(root, 'images', 'odd.tif') && /4 bands/.test(p.reason))).toBe(true);
    expect(index.problems.some((p) => /missing/.test(p.reason))).toBe(true);
    expect(index.chipClasses).toEqual(['Cropland', 'Tree cover']);
    const forest = index.patches[1];
    expect(forest.files.worldcover?.path).toBe(join(root, 'masks', 'forest.tif'));
    // 13-band chips drop B10 (EuroSAT order B01..B08, B8A, B09, B10, B11, B12).
    expect(index.patches[0].files.s2!.B11.band).toBe(11);
    expect(index.patches[0].files.s2!.B8A.band).toBe(8);
  });

  it('serves chips on the 120 grid with labels and masks', async () => {
    const ds = await PatchDataset.open(root, { cacheDir: join(root, '.cache') });
    const b = ds.getBatch([0, 1], { modalities: ['s2'], targets: ['lulc'] });
    expect(Array.from(b.targets.lulc!)).toEqual([3, 0]); // Cropland, Tree cover
    // field.tif (13 bands, 64 px) resampled to 120 px: band B11 = file band 12 -> 1200 DN.
    expect(b.inputs.s2!.data[10]).toBeCloseTo(0.12, 6);
    expect(b.inputs.s2!.data[12 * 14400 + 10]).toBeCloseTo(0.11, 6); // forest.tif band 11 (B11) = 1100
    const m = ds.getBatch([1], { modalities: ['s2'], targets: ['worldcover'] }).targets.worldcover!;
    expect(m[0]).toBe(7); // water
    expect(m[14399]).toBe(0); // tree cover
    expect(ds.has(0, 'worldcover')).toBe(false);
  });
});
