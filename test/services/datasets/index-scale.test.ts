/**
 * The map's scale target: a 100,000-patch index from a ben-ge meta CSV with lon/lat only (no rasters) opens,
 * and its index serialises compactly (columns, not 100,000 objects). Sizes are printed for the record; timing is a
 * benchmark matter (see the closing note), not asserted here.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePacked } from '../../../src-main/api/packed-array';
import { createRng } from '../../../src-main/core/data/rng';
import { harness, type Harness } from './support';

const N = 100_000;
let h: Harness;
let folder: string;
const lons = new Float64Array(N);
const lats = new Float64Array(N);
const ids: string[] = [];

beforeAll(async () => {
  h = await harness();
  folder = join(h.root, 'big');
  await mkdir(folder);
  const rng = createRng('index-scale');
  const rows = ['patch_id,lon,lat'];
  for (let i = 0; i < N; i++) {
    // ben-ge-like ids and places scattered over Europe.
    const id = `S2A_MSIL2A_2017${String(1 + (i % 12)).padStart(2, '0')}15T101031_${String(i % 91).padStart(2, '0')}_${String(i).padStart(6, '0')}`;
    lons[i] = Math.round(rng.range(-10, 30) * 1e6) / 1e6;
    lats[i] = Math.round(rng.range(36, 70) * 1e6) / 1e6;
    ids.push(id);
    rows.push(`${id},${lons[i]},${lats[i]}`);
  }
  await writeFile(join(folder, 'big_meta.csv'), `${rows.join('\n')}\n`);
}, 300_000);

afterAll(async () => {
  await h?.services.shutdown();
});

describe('a 100,000-patch meta-CSV index', () => {
  it('opens, places every patch by its lon/lat and serialises compactly', async () => {
    const summary = await h.call('datasets.open', { path: folder, register: true });
    expect(summary).toMatchObject({ patches: N, layout: 'ben-ge', crs: [4326], georeference: { raster: 0, metadata: N, none: 0 } });
    expect(summary.split_source).toBe('seeded');
    expect(summary.splits.train + summary.splits.val + summary.splits.test).toBe(N);

    const idx = await h.call('datasets.index', { datasetId: summary.id });
    const lon = decodePacked(idx.lon);
    const lat = decodePacked(idx.lat);
    expect(lon.length).toBe(N);
    for (const i of [0, 1, 4242, 77_777, N - 1]) {
      expect(lon[i]).toBe(Math.fround(lons[i]));
      expect(lat[i]).toBe(Math.fround(lats[i]));
      expect(idx.ids![i]).toBe(ids[i]);
    }
    // No labels, seasons or climate zones in this CSV: unknown everywhere; no modality files.
    expect(new Set(decodePacked(idx.lulc))).toEqual(new Set([255]));
    expect(new Set(decodePacked(idx.modalities))).toEqual(new Set([0]));

    const withIds = JSON.stringify(idx).length;
    const columnsOnly = JSON.stringify(await h.call('datasets.index', { datasetId: summary.id, ids: false })).length;
    const idChars = ids.reduce((s, id) => s + id.length + 3, 0);
    console.log(`100k index: ${(withIds / 1e6).toFixed(2)} MB JSON with ids (${(idChars / 1e6).toFixed(2)} MB of it ids), ${(columnsOnly / 1e6).toFixed(2)} MB without (${(columnsOnly / N).toFixed(1)} bytes/patch)`);
    // 8 columns = 17 bytes per patch, base64 4/3 of that: about 23 characters per patch.
    expect(columnsOnly).toBeLessThan(24 * N);
    expect(withIds - columnsOnly).toBeLessThan(idChars + 1000);
  });

  it('finds the footprints in a bbox among 100,000 patches', async () => {
    const { open } = await h.call('datasets.list', {});
    const datasetId = open.find((d) => d.patches === N)!.id;
    const bbox: [number, number, number, number] = [5, 45, 6, 46];
    const fp = await h.call('datasets.footprints', { datasetId, bbox, limit: 100_000 });
    // Patches are 1.2 km squares around their centres: the ones whose centre is inside the bbox are all found.
    const inside = [...lons.keys()].filter((i) => lons[i] >= 5.01 && lons[i] <= 5.99 && lats[i] >= 45.01 && lats[i] <= 45.99);
    const got = new Set(decodePacked(fp.indices));
    for (const i of inside) expect(got.has(i)).toBe(true);
    expect(fp.total).toBeLessThan(inside.length + 40);
    expect(decodePacked(fp.corners_wgs84).length).toBe(fp.total * 8);
  });
});
