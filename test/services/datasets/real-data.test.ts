/**
 * Real BigEarthNet v1 patches (../shared/data/bigearthnet-v1, never copied): the service opens the layout, places
 * patches by their rasters, and renders pixels that agree with GDAL's reading (REFERENCE.json samples).
 */
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePacked } from '../../../src-main/api/packed-array';
import { BEN19_CLASSES } from '../../../src-main/core/data/bigearthnet-nomenclature';
import { pixelAt } from '../../../src-main/core/render/image';
import { decodePngRgba } from '../../../src-main/core/render/png';
import { harness, type Harness } from './support';

// Real path: the services resolve symlinks, and file paths are compared against this prefix.
const ROOT = realpathSync(resolve('../shared/data/bigearthnet-v1'));
type Reference = Record<string, { crs_epsg: number; transform: number[]; bands: { samples: [number, number, number][] }[] }>;
let h: Harness;
let reference: Reference;
let datasetId: string;

beforeAll(async () => {
  h = await harness({ datasets: { imagery: { diskCache: false } } });
  reference = JSON.parse(await readFile(join(ROOT, 'REFERENCE.json'), 'utf8')) as Reference;
  datasetId = (await h.call('datasets.open', { path: ROOT, register: true })).id;
});

afterAll(async () => {
  await h?.services.shutdown();
});

/** The REFERENCE entry of a band file of an S2 patch, or of its S1 partner. */
function ref(dir: 'BigEarthNet-S2' | 'BigEarthNet-S1', patch: string, band: string) {
  const r = reference[`${dir}/${patch}/${patch}_${band}.tif`];
  if (!r) throw new Error(`no REFERENCE entry for ${patch} ${band}`);
  return r;
}

describe('BigEarthNet v1 (real patches)', () => {
  it('indexes S2 and S1-only entries with their 19-class labels and UTM CRSs', async () => {
    const [summary] = (await h.call('datasets.list', {})).open;
    expect(summary).toMatchObject({ layout: 'bigearthnet-v1', georeference: { raster: summary.patches, metadata: 0, none: 0 } });
    expect(summary.modalities.s2).toBe(14);
    expect(summary.modalities.s1).toBe(9);
    expect(summary.classes.ben19).toEqual([...BEN19_CLASSES]);
    const idx = await h.call('datasets.index', { datasetId });
    const ben19 = decodePacked(idx.ben19!);
    for (const [i, id] of idx.ids!.entries()) {
      const p = await h.call('datasets.patch', { datasetId, patchId: id });
      const bits = (p.labels.ben19 ?? []).reduce((m, name) => m | (1 << BEN19_CLASSES.indexOf(name as (typeof BEN19_CLASSES)[number])), 0);
      expect(ben19[i]).toBe(bits >>> 0);
      // Each patch sits where its first raster says.
      const file = p.files.s2?.[1] ?? p.files.s1![1];
      const r = reference[file.slice(ROOT.length + 1)];
      expect(p.footprint!.crs_epsg).toBe(r.crs_epsg);
      expect(p.footprint!.polygon[0]).toEqual([r.transform[2], r.transform[5]]);
    }
  });

  it('renders S2 true colour whose channels are GDAL\'s B04, B03, B02 values at the reference samples', async () => {
    const idx = await h.call('datasets.index', { datasetId });
    const mods = decodePacked(idx.modalities);
    let checked = 0;
    for (const [i, patch] of idx.ids!.entries()) {
      if (!(mods[i] & 1)) continue;
      const r = await h.call('imagery.render', { datasetId, patchId: patch, layer: 's2-true', stretch: { mode: 'fixed', min: 0, max: 0.4 } });
      const img = decodePngRgba(Buffer.from(r.png_base64, 'base64'));
      const b02 = ref('BigEarthNet-S2', patch, 'B02');
      expect(r.crs_epsg).toBe(b02.crs_epsg);
      expect(r.extent).toEqual([b02.transform[2], b02.transform[5] - 1200, b02.transform[2] + 1200, b02.transform[5]]);
      (['B04', 'B03', 'B02'] as const).forEach((band, channel) => {
        for (const [row, col, value] of ref('BigEarthNet-S2', patch, band).bands[0].samples) {
          expect(pixelAt(img, row, col)[channel]).toBe(Math.min(255, Math.round((value / 10000 / 0.4) * 255)));
          checked++;
        }
      });
    }
    expect(checked).toBe(14 * 3 * 5);
  });

  it('renders S1 with VV in red and VH in green as GDAL reads them (dB)', async () => {
    const idx = await h.call('datasets.index', { datasetId });
    const mods = decodePacked(idx.modalities);
    let checked = 0;
    for (const [i, patch] of idx.ids!.entries()) {
      if (!(mods[i] & 2)) continue;
      const p = await h.call('datasets.patch', { datasetId, patchId: patch });
      const r = await h.call('imagery.render', { datasetId, patchId: patch, layer: 's1', stretch: { mode: 'fixed', min: [-25, -30, 0], max: [0, -5, 20] } });
      const img = decodePngRgba(Buffer.from(r.png_base64, 'base64'));
      const byte = (v: number, lo: number, hi: number) => Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255)));
      for (const [row, col, value] of ref('BigEarthNet-S1', p.s1_id!, 'VV').bands[0].samples) {
        expect(pixelAt(img, row, col)[0]).toBe(byte(value, -25, 0));
        checked++;
      }
      for (const [row, col, value] of ref('BigEarthNet-S1', p.s1_id!, 'VH').bands[0].samples) {
        expect(pixelAt(img, row, col)[1]).toBe(byte(value, -30, -5));
        checked++;
      }
    }
    expect(checked).toBe(9 * 2 * 5);
  });
});
