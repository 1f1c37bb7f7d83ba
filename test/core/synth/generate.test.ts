/**
 * `generateBenGe` writes a complete ben-ge-layout dataset: every file and CSV column, consistent ids, timestamps,
 * seasons and georeferencing, seeded splits, byte-identical output for a seed, atomic completion; and GDAL reads
 * every file it writes.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fromArrayBuffer } from 'geotiff';
import proj4 from 'proj4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERA5_VARIABLES, KOPPEN_CLASSES, S2_BAND_GSD, S2_BANDS, WORLDCOVER_CLASSES } from '../../../src-main/core/data/modalities';
import { seasonEncoding } from '../../../src-main/core/data/synth/climate';
import { BENGE_WORLDCOVER_COLUMNS, generateBenGe, META_COLUMNS, planDataset, TILES, type GenerateSummary } from '../../../src-main/core/data/synth';
import { epsgOf, gdalinfo, gdalPixel, HAS_GDAL, HAS_RASTERIO, rasterioRead } from './gdal';

const root = mkdtempSync(join(tmpdir(), 'tf-synth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PATCHES = 12;
let summary: GenerateSummary;
const out = join(root, 'benge-test');

function readCsv(path: string): string[][] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => l.split(','));
}

function filesUnder(dir: string): string[] {
  const outList: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else outList.push(p);
    }
  };
  walk(dir);
  return outList.sort();
}

function digest(dir: string): Map<string, string> {
  return new Map(filesUnder(dir).map((f) => [relative(dir, f), createHash('sha256').update(readFileSync(f)).digest('hex')]));
}

async function readTiff(path: string) {
  const buf = readFileSync(path);
  const tiff = await fromArrayBuffer(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
  const image = await tiff.getImage();
  const [data] = (await image.readRasters()) as unknown as Array<Uint16Array | Float32Array | Uint8Array>;
  return { image, data };
}

beforeAll(async () => {
  const progress: number[] = [];
  summary = await generateBenGe({ out, patches: PATCHES, seed: 11, onProgress: (done, total) => progress.push(done / total) });
  expect(progress.at(-1)).toBe(1);
  expect(progress.length).toBe(PATCHES);
}, 300_000);

describe('ben-ge layout', () => {
  it('writes the CSVs with ben-ge’s columns', () => {
    const meta = readCsv(join(out, 'benge-test_meta.csv'));
    expect(meta[0]).toEqual([...META_COLUMNS]);
    expect(meta.length).toBe(PATCHES + 1);
    const wc = readCsv(join(out, 'benge-test_esaworldcover.csv'));
    expect(wc[0]).toEqual(['patch_id', ...BENGE_WORLDCOVER_COLUMNS]);
    expect(BENGE_WORLDCOVER_COLUMNS.length).toBe(WORLDCOVER_CLASSES.length);
    const era5 = readCsv(join(out, 'benge-test_era-5.csv'));
    expect(era5[0]).toEqual(['patch_id', 'patch_id_s1', ...ERA5_VARIABLES]);
    // Same patches, same order, in all three tables.
    expect(wc.slice(1).map((r) => r[0])).toEqual(meta.slice(1).map((r) => r[0]));
    expect(era5.slice(1).map((r) => r[0] + r[1])).toEqual(meta.slice(1).map((r) => r[0] + r[1]));
    for (const row of wc.slice(1)) {
      const sum = row.slice(1).reduce((s, v) => s + Number(v), 0);
      expect(sum).toBeCloseTo(1, 4);
    }
    for (const row of era5.slice(1)) {
      expect(row.length).toBe(2 + ERA5_VARIABLES.length);
      for (const v of row.slice(2)) expect(Number.isFinite(Number(v))).toBe(true);
      expect([1000, 975, 950, 925, 900, 875, 850, 825, 800, 775, 750, 700]).toContain(Number(row[2]));
    }
    expect(summary.patches).toBe(PATCHES);
    expect(summary.files).toBe(PATCHES * 16 + 7);
  });

  it('has ids, timestamps and seasons that agree, S1 within three days of S2', () => {
    const meta = readCsv(join(out, 'benge-test_meta.csv')).slice(1);
    const ids = new Set<string>();
    for (const [id, id1, t2, t1, season2, season1, lon, lat, cz] of meta) {
      const m2 = /^(S2[AB])_MSIL2A_(\d{8}T\d{6})_(\d{2}[C-X][A-Z]{2})_(\d+)_(\d+)$/.exec(id);
      const m1 = /^(S1[AB])_IW_GRDH_1SDV_(\d{8}T\d{6})_(\d{2}[C-X][A-Z]{2})_(\d+)_(\d+)$/.exec(id1);
      expect(m2, id).not.toBeNull();
      expect(m1, id1).not.toBeNull();
      expect(m1![3]).toBe(m2![3]); // same tile
      expect([m1![4], m1![5]]).toEqual([m2![4], m2![5]]); // same grid cell
      const stamp = (s: string): string => `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)} ${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}`;
      expect(t2).toBe(stamp(m2![2]));
      expect(t1).toBe(stamp(m1![2]));
      const d2 = new Date(`${t2.replace(' ', 'T')}Z`), d1 = new Date(`${t1.replace(' ', 'T')}Z`);
      expect(Math.abs(d1.getTime() - d2.getTime())).toBeLessThan(3.8 * 86_400_000);
      expect(d2.getTime()).toBeGreaterThanOrEqual(Date.UTC(2017, 5, 1));
      expect(d2.getTime()).toBeLessThan(Date.UTC(2018, 5, 1));
      expect(Number(season2)).toBeCloseTo(seasonEncoding(d2), 5);
      expect(Number(season1)).toBeCloseTo(seasonEncoding(d1), 5);
      expect(Number(lon)).toBeGreaterThan(-10);
      expect(Number(lon)).toBeLessThan(30);
      expect(Number(lat)).toBeGreaterThan(36);
      expect(Number(lat)).toBeLessThan(70);
      // Köppen codes of Europe in ben-ge (0 only for patches entirely under water).
      const name = KOPPEN_CLASSES[Number(cz) - 1];
      expect(['BSk', 'Csa', 'Csb', 'Cfa', 'Cfb', 'Cfc', 'Dsb', 'Dfa', 'Dfb', 'Dfc', 'ET']).toContain(name);
      ids.add(id);
    }
    expect(ids.size).toBe(PATCHES);
  });

  it('writes every raster with the right size, type, CRS and a shared footprint', async () => {
    const meta = readCsv(join(out, 'benge-test_meta.csv')).slice(1);
    for (const [id, id1, , , , , lon, lat] of meta.slice(0, 4)) {
      const ref = await readTiff(join(out, 'sentinel-2', id, `${id}_B02.tif`));
      const [ulx, uly] = ref.image.getOrigin();
      const epsg = ref.image.getGeoKeys()?.ProjectedCSTypeGeoKey as number;
      expect(epsg).toBeGreaterThanOrEqual(32629);
      expect(epsg).toBeLessThanOrEqual(32635);
      // On the tile's BigEarthNet grid: 1200 m cells from the MGRS square's corner, col/row as in the id.
      const [, , , tileName, col, row] = id.split('_');
      const tile = TILES.find((t) => t.name === tileName)!;
      expect(epsg).toBe(tile.epsg);
      expect([ulx, uly]).toEqual([tile.ulx + 1200 * Number(col), tile.uly - 1200 * Number(row)]);
      for (const band of S2_BANDS) {
        const { image, data } = await readTiff(join(out, 'sentinel-2', id, `${id}_${band}.tif`));
        const size = 1200 / S2_BAND_GSD[band];
        expect([image.getWidth(), image.getHeight()], band).toEqual([size, size]);
        expect(image.getResolution().slice(0, 2)).toEqual([S2_BAND_GSD[band], -S2_BAND_GSD[band]]);
        expect(image.getOrigin().slice(0, 2)).toEqual([ulx, uly]);
        expect(data).toBeInstanceOf(Uint16Array);
        expect(Math.min(...data)).toBeGreaterThan(0);
      }
      for (const pol of ['VH', 'VV']) {
        const { image, data } = await readTiff(join(out, 'sentinel-1', id1, `${id1}_${pol}.tif`));
        expect(image.getOrigin().slice(0, 2)).toEqual([ulx, uly]);
        expect(data).toBeInstanceOf(Float32Array);
        let mean = 0;
        for (let i = 0; i < data.length; i++) mean += data[i] / data.length;
        expect(mean).toBeGreaterThan(-30);
        expect(mean).toBeLessThan(5);
      }
      const wc = await readTiff(join(out, 'esaworldcover', `${id}_esaworldcover.tif`));
      expect(wc.data).toBeInstanceOf(Uint8Array);
      expect(wc.image.getGDALNoData()).toBe(0);
      for (const v of new Set(wc.data)) expect([0, ...WORLDCOVER_CLASSES.map((c) => c.code)]).toContain(v);
      const dem = await readTiff(join(out, 'dem', `${id}_dem.tif`));
      expect(dem.data).toBeInstanceOf(Float32Array);
      expect(dem.image.getOrigin().slice(0, 2)).toEqual([ulx, uly]);
      // The CSV's lon/lat is the footprint's centre.
      const [clon, clat] = proj4(`+proj=utm +zone=${epsg - 32600} +datum=WGS84 +units=m +no_defs`, 'EPSG:4326', [ulx + 600, uly - 600]);
      expect(clon).toBeCloseTo(Number(lon), 4);
      expect(clat).toBeCloseTo(Number(lat), 4);
    }
  });

  it('places the patches of an acquisition side by side on the tile grid, acquisitions in several seasons', () => {
    const plan = planDataset(11, 300);
    const byScene = new Map<string, Array<[number, number]>>();
    const monthsByTile = new Map<string, Set<number>>();
    for (const p of plan) {
      const key = `${p.params.tile}|${p.params.s2Time}`;
      byScene.set(key, [...(byScene.get(key) ?? []), [p.params.col, p.params.row]]);
      monthsByTile.set(p.params.tile, (monthsByTile.get(p.params.tile) ?? new Set()).add(new Date(p.params.s2Time).getUTCMonth()));
    }
    let blocks = 0;
    for (const cells of byScene.values()) {
      if (cells.length < 2) continue;
      blocks++;
      // Every patch has a 4-neighbour in the same acquisition.
      for (const [c, r] of cells) expect(cells.some(([c2, r2]) => Math.abs(c - c2) + Math.abs(r - r2) === 1)).toBe(true);
    }
    expect(blocks).toBeGreaterThan(20);
    for (const [tile, months] of monthsByTile) expect(months.size, tile).toBeGreaterThanOrEqual(2);
    // No grid cell is used twice.
    expect(new Set(plan.map((p) => `${p.params.tile}_${p.params.col}_${p.params.row}`)).size).toBe(300);
  });

  it('writes seeded 70/15/15 splits, one id per line, that partition the patches', () => {
    const read = (s: string): string[] => readFileSync(join(out, `benge-test_${s}.csv`), 'utf8').trimEnd().split('\n');
    const train = read('train'), val = read('val'), test = read('test');
    expect([train.length, val.length, test.length]).toEqual([8, 2, 2]);
    const all = [...train, ...val, ...test];
    expect(new Set(all).size).toBe(PATCHES);
    const ids = readCsv(join(out, 'benge-test_meta.csv')).slice(1).map((r) => r[0]);
    expect(new Set(all)).toEqual(new Set(ids));
    expect(train[0]).not.toBe('patch_id'); // no header
  });
});

describe('determinism and atomicity', () => {
  it('writes byte-identical files for the same seed and different ones for another seed', async () => {
    const again = join(root, 'again');
    await generateBenGe({ out: again, patches: PATCHES, seed: 11, name: 'benge-test' });
    const a = digest(out), b = digest(again);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, h] of a) expect(b.get(k), k).toBe(h);

    const other = join(root, 'other');
    await generateBenGe({ out: other, patches: PATCHES, seed: 12, name: 'benge-test' });
    const c = digest(other);
    expect(c.get('benge-test_meta.csv')).not.toBe(a.get('benge-test_meta.csv'));
    const tifHashes = new Set([...a].filter(([k]) => k.endsWith('.tif')).map(([, h]) => h));
    const reused = [...c].filter(([k, h]) => k.endsWith('.tif') && tifHashes.has(h));
    expect(reused).toEqual([]);
  }, 300_000);

  it('leaves nothing behind when cancelled, and refuses to overwrite unless asked', async () => {
    const target = join(root, 'cancelled');
    const ac = new AbortController();
    await expect(
      generateBenGe({ out: target, patches: 8, seed: 3, signal: ac.signal, onProgress: (done) => done === 3 && ac.abort(new Error('stop')) }),
    ).rejects.toThrow('stop');
    expect(existsSync(target)).toBe(false);
    expect(existsSync(`${target}.partial`)).toBe(false);

    await expect(generateBenGe({ out, patches: 2, seed: 1 })).rejects.toThrow(/already exists/);
    const replaced = join(root, 'replace');
    await generateBenGe({ out: replaced, patches: 2, seed: 1 });
    await generateBenGe({ out: replaced, patches: 3, seed: 1, overwrite: true });
    expect(readCsv(join(replaced, 'replace_meta.csv')).length).toBe(4);
    expect(readdirSync(root).filter((n) => n.includes('.old-') || n.endsWith('.partial'))).toEqual([]);
  }, 300_000);

  it('writes smaller, identical-content files with deflate', async () => {
    const deflated = join(root, 'deflated'), uncompressed = join(root, 'uncompressed');
    await generateBenGe({ out: deflated, patches: 2, seed: 11, compression: 'deflate', name: 'small' });
    await generateBenGe({ out: uncompressed, patches: 2, seed: 11, name: 'small' });
    const id = readCsv(join(deflated, 'small_meta.csv'))[1][0];
    const plain = join(uncompressed, 'sentinel-2', id, `${id}_B04.tif`);
    const packed = join(deflated, 'sentinel-2', id, `${id}_B04.tif`);
    expect(statSync(packed).size).toBeLessThan(statSync(plain).size);
    const a = await readTiff(plain), b = await readTiff(packed);
    expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer))).toBe(true);
  }, 300_000);
});

describe.skipIf(!HAS_GDAL)('GDAL reads the generated dataset', () => {
  it('gdalinfo and gdallocationinfo agree with every file of a patch', async () => {
    const meta = readCsv(join(out, 'benge-test_meta.csv')).slice(1, 2);
    for (const [id, id1] of meta) {
      const files = [
        ...S2_BANDS.map((b) => join(out, 'sentinel-2', id, `${id}_${b}.tif`)),
        join(out, 'sentinel-1', id1, `${id1}_VV.tif`), join(out, 'sentinel-1', id1, `${id1}_VH.tif`),
        join(out, 'esaworldcover', `${id}_esaworldcover.tif`), join(out, 'dem', `${id}_dem.tif`),
      ];
      for (const f of files) {
        const info = gdalinfo(f);
        const { image, data } = await readTiff(f);
        const [w, h] = [image.getWidth(), image.getHeight()];
        expect(info.size).toEqual([w, h]);
        const [ox, oy] = image.getOrigin();
        const [rx, ry] = image.getResolution();
        expect(info.geoTransform).toEqual([ox, rx, 0, oy, 0, ry]);
        expect(epsgOf(info)).toBe(image.getGeoKeys()?.ProjectedCSTypeGeoKey);
        const col = Math.floor(w / 3), row = Math.floor((2 * h) / 3);
        expect(gdalPixel(f, col, row)).toBeCloseTo(data[row * w + col], 3);
      }
    }
  });

  it.skipIf(!HAS_RASTERIO)('rasterio reads every file of the dataset with the values geotiff.js reads', async () => {
    const files = filesUnder(out).filter((f) => f.endsWith('.tif'));
    expect(files.length).toBe(PATCHES * 16);
    const reads = rasterioRead(files);
    const types: Record<string, string> = { Uint16Array: 'uint16', Float32Array: 'float32', Uint8Array: 'uint8' };
    for (let k = 0; k < files.length; k++) {
      const { image, data } = await readTiff(files[k]);
      const r = reads[k];
      expect(r.dtype).toBe(types[data.constructor.name]);
      expect(r.epsg).toBe(image.getGeoKeys()?.ProjectedCSTypeGeoKey);
      expect(r.transform.slice(0, 3)).toEqual([image.getResolution()[0], 0, image.getOrigin()[0]]);
      expect(Buffer.from(r.data, 'base64').equals(Buffer.from(data.buffer, data.byteOffset, data.byteLength)), files[k]).toBe(true);
    }
  });
});
