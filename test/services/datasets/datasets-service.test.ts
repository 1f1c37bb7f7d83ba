import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePacked } from '../../../src-main/api/packed-array';
import { KOPPEN_CLASSES, S2_BANDS, WORLDCOVER_CLASSES } from '../../../src-main/core/data/modalities';
import { readRasterFile, readRasterInfo } from '../../../src-main/core/data/raster-io';
import { generateBenGe, BENGE_WORLDCOVER_COLUMNS } from '../../../src-main/core/data/synth';
import { parseHexColor, pixelAt } from '../../../src-main/core/render/image';
import { decodePngRgba } from '../../../src-main/core/render/png';
import { harness, type Harness } from './support';

const PATCHES = 20;
let h: Harness;
let data: string;
let datasetId: string;

/** The rows of a CSV with a header, as records. */
async function csv(file: string): Promise<Record<string, string>[]> {
  const [head, ...rows] = (await readFile(file, 'utf8')).trim().split(/\r?\n/);
  const cols = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, k) => [cols[k], v])));
}
async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split(/\r?\n/).filter(Boolean);
}

beforeAll(async () => {
  h = await harness({ datasets: { samplePatches: 3 } });
  data = join(h.root, 'synth');
  await generateBenGe({ out: data, patches: PATCHES, seed: 7 });
}, 600_000);

afterAll(async () => {
  await h?.services.shutdown();
});

describe('datasets.open', () => {
  it('refuses a folder that is not registered', async () => {
    await expect(h.call('datasets.open', { path: data })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(h.call('datasets.open', { path: join(data, '..', 'synth') })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('registers and opens the synthetic ben-ge folder: counts, CRSs, splits, extent', async () => {
    const progress: string[] = [];
    const off = h.services.events.on('datasets.progress', (e) => progress.push(e.phase));
    const s = await h.call('datasets.open', { path: data, register: true });
    off();
    datasetId = s.id;
    expect(s).toMatchObject({ layout: 'ben-ge', name: 'synth', patches: PATCHES, sample: false, split_source: 'csv' });
    for (const m of ['s2', 's1', 'dem', 'worldcover', 'era5', 'climatezone', 'season']) expect(s.modalities[m]).toBe(PATCHES);
    expect(s.georeference).toEqual({ raster: PATCHES, metadata: 0, none: 0 });
    expect(progress[0]).toBe('index');
    expect(progress).toContain('georeference');
    expect(progress.at(-1)).toBe('ready');

    const meta = await csv(join(data, 'synth_meta.csv'));
    const epsgs = new Set<number>();
    for (const row of meta) epsgs.add((await readRasterInfo(join(data, 'sentinel-2', row.patch_id, `${row.patch_id}_B02.tif`))).crs_epsg!);
    expect(new Set(s.crs)).toEqual(epsgs);
    expect(s.splits).toEqual({
      train: (await lines(join(data, 'synth_train.csv'))).length,
      val: (await lines(join(data, 'synth_val.csv'))).length,
      test: (await lines(join(data, 'synth_test.csv'))).length,
      none: 0,
    });
    const [w, south, e, n] = s.bbox_wgs84!;
    for (const row of meta) {
      expect(Number(row.lon)).toBeGreaterThan(w);
      expect(Number(row.lon)).toBeLessThan(e);
      expect(Number(row.lat)).toBeGreaterThan(south);
      expect(Number(row.lat)).toBeLessThan(n);
    }
    expect(s.classes.lulc.map((c) => c.code)).toEqual(WORLDCOVER_CLASSES.map((c) => c.code));
    expect(s.classes.climatezone[14]).toMatchObject({ code: 15, name: 'Cfb', color: '#64ff50' });
    // The folder is now a recent (registered) dataset, and listed as open.
    const list = await h.call('datasets.list', {});
    expect(list.open.map((d) => d.id)).toContain(datasetId);
    expect(list.recent[0]).toMatchObject({ path: s.path, exists: true, datasetId });
  });

  it('opening again returns the same dataset', async () => {
    const again = await h.call('datasets.open', { path: data });
    expect(again.id).toBe(datasetId);
  });
});

describe('datasets.index and footprints', () => {
  it('gives columns that match the CSVs', async () => {
    const idx = await h.call('datasets.index', { datasetId });
    const meta = await csv(join(data, 'synth_meta.csv'));
    const fractions = new Map((await csv(join(data, 'synth_esaworldcover.csv'))).map((r) => [r.patch_id, r]));
    const splitOf = new Map<string, number>();
    for (const [k, s] of ['train', 'val', 'test'].entries()) for (const id of await lines(join(data, `synth_${s}.csv`))) splitOf.set(id, k);
    expect(idx.count).toBe(PATCHES);
    expect(idx.ids).toEqual(meta.map((r) => r.patch_id));
    const lon = decodePacked(idx.lon);
    const lat = decodePacked(idx.lat);
    const split = decodePacked(idx.split);
    const lulc = decodePacked(idx.lulc);
    const season = decodePacked(idx.season);
    const cz = decodePacked(idx.climatezone);
    const mods = decodePacked(idx.modalities);
    const crsIndex = decodePacked(idx.crs_index);
    expect(lon).toBeInstanceOf(Float32Array);
    meta.forEach((row, i) => {
      // Centres come from the rasters' georeferencing; the meta CSV states the same centre.
      expect(lon[i]).toBeCloseTo(Number(row.lon), 4);
      expect(lat[i]).toBeCloseTo(Number(row.lat), 4);
      expect(split[i]).toBe(splitOf.get(row.patch_id));
      const f = BENGE_WORLDCOVER_COLUMNS.map((c) => Number(fractions.get(row.patch_id)![c]));
      expect(lulc[i]).toBe(f.indexOf(Math.max(...f)));
      expect(season[i]).toBeCloseTo(Number(row.season_s2), 6);
      expect(cz[i]).toBe(Number(row.climatezone));
      expect(mods[i]).toBe(255); // every modality and a label
      expect(idx.crs[crsIndex[i]]).toBeGreaterThan(32600);
    });
    const noIds = await h.call('datasets.index', { datasetId, ids: false });
    expect(noIds.ids).toBeUndefined();
    expect(noIds.revision).toBe(idx.revision);
  });

  it('returns footprints of the patches in a bbox only', async () => {
    const idx = await h.call('datasets.index', { datasetId });
    const lon = decodePacked(idx.lon);
    const lat = decodePacked(idx.lat);
    const all = await h.call('datasets.footprints', { datasetId });
    expect(all.total).toBe(PATCHES);
    expect(decodePacked(all.corners_wgs84).length).toBe(PATCHES * 8);
    const box: [number, number, number, number] = [lon[0] - 0.001, lat[0] - 0.001, lon[0] + 0.001, lat[0] + 0.001];
    const some = await h.call('datasets.footprints', { datasetId, bbox: box });
    const picked = [...decodePacked(some.indices)];
    expect(picked).toContain(0);
    // Every patch returned really meets the box, and every patch whose centre is in it is returned.
    const corners = decodePacked(some.corners_wgs84);
    picked.forEach((_, k) => {
      const xs = [0, 2, 4, 6].map((o) => corners[k * 8 + o]);
      const ys = [1, 3, 5, 7].map((o) => corners[k * 8 + o]);
      expect(Math.max(...xs)).toBeGreaterThanOrEqual(box[0]);
      expect(Math.min(...xs)).toBeLessThanOrEqual(box[2]);
      expect(Math.max(...ys)).toBeGreaterThanOrEqual(box[1]);
      expect(Math.min(...ys)).toBeLessThanOrEqual(box[3]);
    });
    const limited = await h.call('datasets.footprints', { datasetId, limit: 5 });
    expect([limited.total, limited.truncated, decodePacked(limited.indices).length]).toEqual([PATCHES, true, 5]);
  });
});

describe('datasets.patch', () => {
  it('has the CSV metadata with names, and the footprint of its rasters', async () => {
    const meta = await csv(join(data, 'synth_meta.csv'));
    const era5 = new Map((await csv(join(data, 'synth_era-5.csv'))).map((r) => [r.patch_id, r]));
    const fractions = new Map((await csv(join(data, 'synth_esaworldcover.csv'))).map((r) => [r.patch_id, r]));
    const row = meta[3];
    const p = await h.call('datasets.patch', { datasetId, patchId: row.patch_id });
    expect(p).toMatchObject({ id: row.patch_id, index: 3, s1_id: row.patch_id_s1, acquired: { s2: row.timestamp_s2, s1: row.timestamp_s1 } });
    expect(p.season).toBeCloseTo(Number(row.season_s2), 6);
    const month = Number(row.timestamp_s2.slice(5, 7));
    const northern = ['winter', 'winter', 'spring', 'spring', 'spring', 'summer', 'summer', 'summer', 'autumn', 'autumn', 'autumn', 'winter'][month - 1];
    expect(p.season_name).toBe(northern);
    const code = Number(row.climatezone);
    expect(p.climatezone).toMatchObject({ code, name: KOPPEN_CLASSES[code - 1] });
    const e = era5.get(row.patch_id)!;
    for (const v of p.era5!) expect(v.value).toBeCloseTo(Number(e[v.name]), 4);
    expect(p.era5!.find((v) => v.name === 'temperature_s2')!.unit).toBe('K');
    const f = fractions.get(row.patch_id)!;
    p.worldcover_fractions!.forEach((c, k) => expect(c.fraction).toBeCloseTo(Number(f[BENGE_WORLDCOVER_COLUMNS[k]]), 6));
    const dominant = p.worldcover_fractions!.reduce((a, b) => (b.fraction > a.fraction ? b : a));
    expect(p.labels.lulc).toMatchObject({ code: dominant.code, name: dominant.name });
    expect(p.labels.landcover.every((c) => p.worldcover_fractions![c.index].fraction >= p.labels.landcover_threshold)).toBe(true);
    expect(p.files.s2).toHaveLength(12);

    const info = await readRasterInfo(join(data, 'sentinel-2', row.patch_id, `${row.patch_id}_B02.tif`));
    const [a, , c, , ee, ff] = info.transform;
    expect(p.footprint).toMatchObject({ crs_epsg: info.crs_epsg, source: 'raster' });
    expect(p.footprint!.proj4).toMatch(/\+proj=utm \+zone=\d+/);
    expect(p.footprint!.extent).toEqual([c, ff + ee * 120, c + a * 120, ff]);
    expect(p.footprint!.polygon).toEqual([[c, ff], [c + a * 120, ff], [c + a * 120, ff + ee * 120], [c, ff + ee * 120], [c, ff]]);
    const [w, s, east, n] = p.footprint!.bbox_wgs84;
    expect(p.centre_wgs84![0]).toBeGreaterThan(w);
    expect(p.centre_wgs84![0]).toBeLessThan(east);
    expect(p.centre_wgs84![1]).toBeGreaterThan(s);
    expect(p.centre_wgs84![1]).toBeLessThan(n);
  });

  it('answers not_found for an unknown patch or dataset', async () => {
    await expect(h.call('datasets.patch', { datasetId, patchId: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.call('datasets.index', { datasetId: 'deadbeef' })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('imagery', () => {
  it('renders WorldCover in official colours at the patch extent; nodata transparent', async () => {
    const meta = await csv(join(data, 'synth_meta.csv'));
    const id = meta[0].patch_id;
    const r = await h.call('imagery.render', { datasetId, patchId: id, layer: 'worldcover' });
    const img = decodePngRgba(Buffer.from(r.png_base64, 'base64'));
    expect([img.width, img.height, r.width, r.height]).toEqual([120, 120, 120, 120]);
    const wc = await readRasterFile(join(data, 'esaworldcover', `${id}_esaworldcover.tif`));
    const codes = wc.bands[0];
    let checked = 0;
    for (const [row, col] of [[0, 0], [10, 100], [60, 60], [119, 119], [77, 3]]) {
      const code = codes[row * 120 + col];
      const cls = WORLDCOVER_CLASSES.find((k) => k.code === code);
      expect(pixelAt(img, row, col)).toEqual(cls ? [...parseHexColor(cls.color), 255] : [0, 0, 0, 0]);
      checked++;
    }
    expect(checked).toBe(5);
    // Every nodata pixel of the map is transparent, every classified one opaque.
    for (let i = 0; i < codes.length; i++) expect(img.data[i * 4 + 3]).toBe(codes[i] === wc.info.nodata ? 0 : 255);
    const [a, , c, , e, f] = wc.info.transform;
    expect(r.crs_epsg).toBe(wc.info.crs_epsg);
    expect(r.extent).toEqual([c, f + e * 120, c + a * 120, f]);
    expect(r.proj4).toMatch(/\+proj=utm/);
    expect(r.stretch).toBeNull();
  });

  it('renders S2 true colour from B04, B03, B02 with the requested stretch; caches in memory and on disk', async () => {
    const meta = await csv(join(data, 'synth_meta.csv'));
    const id = meta[1].patch_id;
    const band = async (b: string) => (await readRasterFile(join(data, 'sentinel-2', id, `${id}_${b}.tif`))).bands[0];
    const [red, green, blue] = [await band('B04'), await band('B03'), await band('B02')];
    const req = { datasetId, patchId: id, layer: 's2-true' as const, stretch: { mode: 'fixed' as const, min: 0, max: 0.3 } };
    const r = await h.call('imagery.render', req);
    expect(r.cache).toBe('rendered');
    const img = decodePngRgba(Buffer.from(r.png_base64, 'base64'));
    const byte = (dn: number) => Math.max(0, Math.min(255, Math.round((dn / 10000 / 0.3) * 255)));
    for (const [row, col] of [[0, 0], [5, 90], [64, 32], [119, 0]]) {
      const k = row * 120 + col;
      const nodata = red[k] === 0 && green[k] === 0 && blue[k] === 0;
      expect(pixelAt(img, row, col)).toEqual(nodata ? [0, 0, 0, 0] : [byte(red[k]), byte(green[k]), byte(blue[k]), 255]);
    }
    expect((await h.call('imagery.render', req)).cache).toBe('memory');
    // A fresh process (same settings and workspace) reopens the dataset by its id from the recent folders, and finds
    // the image on disk, with the same ranges.
    const h2 = await harness({ root: h.root });
    try {
      const again = await h2.call('imagery.render', req);
      expect(again.cache).toBe('disk');
      expect(again.png_base64).toBe(r.png_base64);
      expect(again.ranges).toEqual(r.ranges);
    } finally {
      await h2.services.shutdown();
    }
  });

  it('renders every layer of a complete patch at 120 x 120', async () => {
    const { layers } = await h.call('imagery.layers', {});
    const meta = await csv(join(data, 'synth_meta.csv'));
    for (const layer of layers) {
      const r = await h.call('imagery.render', { datasetId, patchId: meta[2].patch_id, layer: layer.id });
      const img = decodePngRgba(Buffer.from(r.png_base64, 'base64'));
      expect([img.width, img.height]).toEqual([120, 120]);
      let opaque = 0;
      for (let i = 3; i < img.data.length; i += 4) if (img.data[i] === 255) opaque++;
      expect(opaque).toBeGreaterThan(120 * 120 * 0.5);
      expect(r.stretch).toEqual(layer.default_stretch);
    }
  });

  it('renders in worker threads and in the main thread alike', async () => {
    const inline = await harness({ root: h.root, datasets: { imagery: { workers: 0, diskCache: false } } });
    try {
      const meta = await csv(join(data, 'synth_meta.csv'));
      for (const layer of ['ndvi', 's1', 'dem-hillshade'] as const) {
        const req = { datasetId, patchId: meta[5].patch_id, layer, stretch: { mode: 'percentile' as const, low: 5, high: 95 } };
        const a = await h.call('imagery.render', req);
        const b = await inline.call('imagery.render', req);
        expect(b.cache).toBe('rendered');
        expect(b.png_base64).toBe(a.png_base64);
        expect(b.ranges).toEqual(a.ranges);
      }
      // A file that turned unreadable is reported with its name, from either thread.
      const broken = join(data, 'dem', `${meta[6].patch_id}_dem.tif`);
      const original = await readFile(broken);
      await writeFile(broken, original.subarray(0, 100));
      try {
        for (const hh of [h, inline]) {
          const err = await hh.call('imagery.render', { datasetId, patchId: meta[6].patch_id, layer: 'dem-hillshade' }).catch((e: Error) => e);
          expect(err).toMatchObject({ code: 'not_found' });
          expect((err as Error).message).toMatch(/_dem\.tif/);
        }
      } finally {
        await writeFile(broken, original);
      }
    } finally {
      await inline.services.shutdown();
    }
  });

  it('gives per-band histograms', async () => {
    const meta = await csv(join(data, 'synth_meta.csv'));
    const id = meta[4].patch_id;
    const s2 = await h.call('imagery.histogram', { datasetId, patchId: id, modality: 's2', bins: 32 });
    expect(s2.bands.map((b) => b.band)).toEqual([...S2_BANDS]);
    for (const b of s2.bands) {
      expect(b.counts).toHaveLength(32);
      expect(b.counts.reduce((x, y) => x + y, 0)).toBe(b.valid);
      expect(b.valid + b.invalid).toBe(14_400);
    }
    const dem = await h.call('imagery.histogram', { datasetId, patchId: id, modality: 'dem' });
    const raw = (await readRasterFile(join(data, 'dem', `${id}_dem.tif`))).bands[0];
    expect(dem.unit).toBe('m');
    expect(dem.bands[0].min).toBeCloseTo(Math.min(...raw), 3);
    expect(dem.bands[0].max).toBeCloseTo(Math.max(...raw), 3);
    const wc = await h.call('imagery.histogram', { datasetId, patchId: id, modality: 'worldcover' });
    expect(wc.classes!.reduce((s, c) => s + c.count, 0) + wc.bands[0].invalid).toBe(14_400);
  });

  it('legend of WorldCover has ESA colours', async () => {
    const legend = await h.call('imagery.legend', { layer: 'worldcover' });
    expect(legend.kind).toBe('classes');
    if (legend.kind === 'classes') expect(legend.classes.map((c) => c.color)).toEqual(WORLDCOVER_CLASSES.map((c) => c.color));
  });
});

describe('bad folders', () => {
  it('a folder of unknown layout, and one whose patches are all unreadable, give clear messages', async () => {
    const empty = join(h.root, 'empty');
    await mkdir(empty);
    await expect(h.call('datasets.open', { path: empty, register: true })).rejects.toThrow(/cannot open .*empty: unknown layout/);

    const broken = join(h.root, 'broken');
    for (const id of ['P1', 'P2']) {
      await mkdir(join(broken, 'sentinel-2', id), { recursive: true });
      for (const b of S2_BANDS) await writeFile(join(broken, 'sentinel-2', id, `${id}_${b}.tif`), 'not a tiff');
    }
    await writeFile(join(broken, 'broken_meta.csv'), 'patch_id,patch_id_s1\nP1,\nP2,\n');
    const err = await h.call('datasets.open', { path: broken, register: true }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'bad_request' });
    expect((err as Error).message).toMatch(/no readable patches in .*broken: 2 listed/);
    expect((err as Error).message).toMatch(/P1_B02\.tif/);
  });
});

describe('datasets.sample', () => {
  it('generates the sample in a job on first use, then opens it', async () => {
    const progress: number[] = [];
    const off = h.services.events.on('job.progress', (e) => {
      if (e.kind === 'datasets.sample') progress.push(e.progress);
    });
    const first = await h.call('datasets.sample', {});
    expect(first.state).toBe('generating');
    const waited = await h.call('datasets.sample', { wait: true });
    off();
    if (waited.state !== 'ready') throw new Error('expected the sample to be ready');
    expect(waited.dataset).toMatchObject({ sample: true, patches: 3, layout: 'ben-ge' });
    expect(progress.at(-1)).toBe(1);
    const again = await h.call('datasets.sample', {});
    expect(again).toMatchObject({ state: 'ready', dataset: { id: waited.dataset.id } });
    const list = await h.call('datasets.list', {});
    expect(list.sample_path).toBe(waited.dataset.path);
    // The sample's (deflate-compressed) rasters render.
    const idx = await h.call('datasets.index', { datasetId: waited.dataset.id });
    for (const layer of ['s2-true', 'dem-hillshade'] as const) {
      const r = await h.call('imagery.render', { datasetId: waited.dataset.id, patchId: idx.ids![0], layer });
      const img = decodePngRgba(Buffer.from(r.png_base64, 'base64'));
      expect([img.width, img.height]).toEqual([120, 120]);
      expect(r.crs_epsg).toBe(waited.dataset.crs[decodePacked(idx.crs_index)[0]]);
    }
  });
});

describe('datasets.open with refresh', () => {
  it('indexes the folder again: same id, new revision when files changed', async () => {
    const before = await h.call('datasets.open', { path: data });
    const same = await h.call('datasets.open', { path: data, refresh: true });
    expect([same.id, same.revision]).toEqual([before.id, before.revision]);
    const meta = await csv(join(data, 'synth_meta.csv'));
    const dem = join(data, 'dem', `${meta[10].patch_id}_dem.tif`);
    await rename(dem, `${dem}.away`);
    try {
      const changed = await h.call('datasets.open', { path: data, refresh: true });
      expect(changed.id).toBe(before.id);
      expect(changed.modalities.dem).toBe(PATCHES - 1);
      expect(changed.revision).not.toBe(before.revision);
      await expect(h.call('imagery.render', { datasetId: changed.id, patchId: meta[10].patch_id, layer: 'dem-hillshade' })).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await rename(`${dem}.away`, dem);
    }
  });
});
