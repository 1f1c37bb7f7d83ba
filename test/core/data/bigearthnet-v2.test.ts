import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDatasetIndex } from '../../../src-main/core/data/layouts/detect';
import { modalityCounts } from '../../../src-main/core/data/layouts/types';
import { gridKey } from '../../../src-main/core/data/layouts/bigearthnet-v2';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { BEN19_CLASSES, BEN43_CLASSES } from '../../../src-main/core/data/bigearthnet-nomenclature';
import { S2_BANDS, S2_BAND_GSD } from '../../../src-main/core/data/modalities';
import { writeGeoTiffSync } from '../../../src-main/core/geo/write';
import { fixtureTransform } from './helpers/write-benge';
import { writeParquet } from './helpers/write-parquet';

const EPSG = 32633;
const TILE = 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP';
const SCENE = 'S1A_IW_GRDH_1SDV_20170613T165043';
let root: string;
const patches = [
  { pos: '26_57', ext: '.tif', codes: [211, 312], s1: true },
  { pos: '26_58', ext: '.tiff', codes: [312, 512, 0], s1: true },
  { pos: '27_57', ext: '.tif', codes: [122, 231], s1: false },
];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tf-ben2-'));
  patches.forEach((p, k) => {
    const id = `${TILE}_${p.pos}`;
    const origin: [number, number] = [404400 + 1200 * k, 5342400];
    const s2dir = join(root, 'BigEarthNet-S2', TILE, id);
    mkdirSync(s2dir, { recursive: true });
    for (const b of S2_BANDS) {
      const n = 1200 / S2_BAND_GSD[b];
      const data = new Uint16Array(n * n).fill(1000 + k * 100);
      data[0] = 0; // nodata pixel
      writeGeoTiffSync(join(s2dir, `${id}_${b}${p.ext}`), { width: n, height: n, bands: [data], transform: fixtureTransform(origin, S2_BAND_GSD[b]), epsg: EPSG, nodata: 0 });
    }
    if (p.s1) {
      const s1id = `${SCENE}_33UUP_${p.pos}`;
      const s1dir = join(root, 'BigEarthNet-S1', SCENE, s1id);
      mkdirSync(s1dir, { recursive: true });
      for (const b of ['VH', 'VV']) {
        writeGeoTiffSync(join(s1dir, `${s1id}_${b}.tif`), { width: 120, height: 120, bands: [new Float32Array(14400).fill(b === 'VV' ? -10 : -17)], transform: fixtureTransform(origin, 10), epsg: EPSG });
      }
    }
    const refdir = join(root, 'Reference_Maps', TILE, id);
    mkdirSync(refdir, { recursive: true });
    const ref = new Uint16Array(14400);
    for (let i = 0; i < 14400; i++) ref[i] = p.codes[Math.floor(((i % 120) * p.codes.length) / 120)];
    writeGeoTiffSync(join(refdir, `${id}_reference_map${p.ext}`), { width: 120, height: 120, bands: [ref], transform: fixtureTransform(origin, 10), epsg: EPSG, nodata: 0 });
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('BigEarthNet v2 (reBEN) layout', () => {
  it('pairs S1 with S2 by tile and grid position when there is no metadata.parquet', async () => {
    expect(gridKey(`${TILE}_26_57`)).toBe('33UUP_26_57');
    expect(gridKey(`${SCENE}_33UUP_26_57`)).toBe('33UUP_26_57');
    const index = await readDatasetIndex(root);
    expect(index.layout).toBe('bigearthnet-v2');
    expect(index.patches.map((p) => p.id)).toEqual(patches.map((p) => `${TILE}_${p.pos}`));
    expect(modalityCounts(index)).toMatchObject({ s2: 3, s1: 2, reference: 3 });
    expect(index.patches[1].files.s2!.B02.path.endsWith('.tiff')).toBe(true);
    expect(index.patches[0].meta.s1Id).toBe(`${SCENE}_33UUP_26_57`);
    expect(index.splitSource).toBe('none');
    expect(index.patches[0].meta.season).toBeGreaterThan(0.99); // 13 June
  });

  it('derives 43- and 19-class labels from the CORINE reference maps; reads the nodata tag', async () => {
    const ds = await PatchDataset.open(root, { cacheDir: join(root, '.cache'), seed: 3 });
    expect(ds.problems).toEqual([]);
    const b = ds.getBatch([0, 1, 2], { modalities: ['s2'], targets: ['ben43', 'ben19'] });
    const names = (hot: ArrayLike<number>, k: number, list: readonly string[]): string[] => list.filter((_, c) => hot[k * list.length + c] === 1);
    expect(names(b.targets.ben43!, 0, BEN43_CLASSES)).toEqual(['Non-irrigated arable land', 'Coniferous forest']);
    expect(names(b.targets.ben43!, 1, BEN43_CLASSES)).toEqual(['Coniferous forest', 'Water bodies']); // code 0 = nodata
    expect(names(b.targets.ben19!, 1, BEN19_CLASSES)).toEqual(['Coniferous forest', 'Inland waters']);
    // Roads (122) have no 19-class counterpart.
    expect(names(b.targets.ben19!, 2, BEN19_CLASSES)).toEqual(['Pastures']);
    expect(b.inputs.s2!.data[12 * 5 + 1]).toBeCloseTo(0.1, 6);
    expect(b.inputs.s2!.data[1]).toBe(0); // the nodata pixel stays 0
    expect(ds.indices({ require: ['s2', 's1'] })).toEqual([0, 1]);
    // No fixed splits: seeded hash splits cover every patch.
    expect([...ds.splits.train, ...ds.splits.val, ...ds.splits.test].sort()).toEqual([0, 1, 2]);
  });
});

describe('BigEarthNet v2 with metadata.parquet', () => {
  it('takes labels, splits, S1 partners and countries from the parquet', async () => {
    const ids = patches.map((p) => `${TILE}_${p.pos}`);
    // Patch 2 has no S1 partner by grid position; the parquet names one from another position.
    const odd = `${SCENE}_33UUP_99_99`;
    const s1dir = join(root, 'BigEarthNet-S1', SCENE, odd);
    mkdirSync(s1dir, { recursive: true });
    for (const b of ['VH', 'VV']) {
      writeGeoTiffSync(join(s1dir, `${odd}_${b}.tif`), { width: 120, height: 120, bands: [new Float32Array(14400).fill(-14)], transform: fixtureTransform([404400 + 2400, 5342400], 10), epsg: EPSG });
    }
    writeParquet(join(root, 'metadata.parquet'), [
      { name: 'patch_id', kind: 'string', values: ids },
      { name: 'labels', kind: 'list', values: [['Mixed forest'], [], ['Pastures', 'Not a class']] },
      { name: 'split', kind: 'string', values: ['train', 'validation', 'test'] },
      { name: 'country', kind: 'string', values: ['Austria', 'Austria', 'Serbia'] },
      { name: 's1_name', kind: 'string', values: [`${SCENE}_33UUP_26_57`, `${SCENE}_33UUP_26_58`, odd] },
    ]);
    try {
      const index = await readDatasetIndex(root);
      expect(index.layout).toBe('bigearthnet-v2');
      expect(index.splitSource).toBe('metadata');
      expect(index.patches.map((p) => p.split)).toEqual(['train', 'val', 'test']);
      expect(index.patches.map((p) => p.meta.country)).toEqual(['Austria', 'Austria', 'Serbia']);
      expect(index.patches[2].meta.s1Id).toBe(odd);
      expect(modalityCounts(index).s1).toBe(3);
      expect(index.patches[0].labels.ben19).toEqual(['Mixed forest']);
      expect(index.patches[1].labels.ben19).toEqual([]);
      expect(index.problems.some((p) => /unknown labels Not a class/.test(p.reason) && p.file.endsWith('metadata.parquet'))).toBe(true);
      const ds = await PatchDataset.fromIndex(index, { cacheDir: join(root, '.cache-pq') });
      expect(ds.splits).toEqual({ train: [0], val: [1], test: [2] });
      // Parquet labels win over the reference map (which holds arable land and coniferous forest for patch 0).
      const b = ds.getBatch([0, 2], { modalities: ['s1'], targets: ['ben19'] });
      const names = (k: number): string[] => BEN19_CLASSES.filter((_, c) => b.targets.ben19![k * 19 + c] === 1);
      expect(names(0)).toEqual(['Mixed forest']);
      expect(names(1)).toEqual(['Pastures']);
      expect(b.inputs.s1!.data[14400 * 2 + 1]).toBeCloseTo((-14 + 25) / 25, 5);
    } finally {
      rmSync(join(root, 'metadata.parquet'));
      rmSync(join(root, 'BigEarthNet-S1', SCENE, odd), { recursive: true });
    }
  });
});
