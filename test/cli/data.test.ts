/**
 * `terrafuse inspect` and `terrafuse raster` on a dataset written by `terrafuse synth`: the JSON shapes of issue 3
 * (inspect: layout, counts, CRSs, WGS84 extent, splits; --patch: per modality and band size, dtype, statistics;
 * raster: one object per line per file), checked against the split CSVs, the patch ids' UTM zones and GDAL's own
 * reading (gdalinfo -json -stats) of the same files.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, expectOneLineError, jsonLine, synthDataset } from './support';

const tmp = mkdtempSync(join(tmpdir(), 'tf-cli-data-'));
const data = join(tmp, 'mini');
const PATCHES = 6;
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface MetaRow {
  patch_id: string;
  patch_id_s1: string;
  lon: string;
  lat: string;
}
let meta: MetaRow[];
const splitCount = (name: string): number => readFileSync(join(data, `mini_${name}.csv`), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '').length;

beforeAll(async () => {
  await synthDataset(data, PATCHES, 'cli-data');
  meta = parseCsv(readFileSync(join(data, 'mini_meta.csv'), 'utf8'), { columns: true }) as MetaRow[];
});

/** GDAL's reading of a file (exact statistics; no .aux.xml written next to it). */
interface GdalBand {
  type: string;
  minimum: number;
  maximum: number;
  mean: number;
  noDataValue?: number;
  metadata: { ''?: Record<string, string> };
}
interface GdalInfo {
  size: [number, number];
  geoTransform: [number, number, number, number, number, number];
  coordinateSystem?: { wkt: string };
  bands: GdalBand[];
}
function gdalinfo(file: string): GdalInfo {
  return JSON.parse(execFileSync('gdalinfo', ['-json', '-stats', '--config', 'GDAL_PAM_ENABLED', 'NO', file], { encoding: 'utf8' })) as GdalInfo;
}
const GDAL_DTYPE: Record<string, string> = { Byte: 'uint8', UInt16: 'uint16', Int16: 'int16', Float32: 'float32', Float64: 'float64' };
const epsgOf = (g: GdalInfo): number | null => {
  const m = /ID\["EPSG",(\d+)\]\]\s*$/.exec(g.coordinateSystem?.wkt ?? '');
  return m ? Number(m[1]) : null;
};
const validOf = (g: GdalInfo, b: GdalBand): number => Math.round((Number(b.metadata['']?.STATISTICS_VALID_PERCENT) / 100) * g.size[0] * g.size[1]);
/** GDAL's exact statistics: the STATISTICS_* metadata (14 significant digits; `minimum` etc. are rounded to 3 decimals). */
const statOf = (b: GdalBand, name: 'MINIMUM' | 'MAXIMUM' | 'MEAN'): number => Number(b.metadata['']![`STATISTICS_${name}`]);
function expectStats(ours: { min: number; max: number; mean: number }, b: GdalBand, what: string): void {
  expect(ours.min, `${what} min`).toBeCloseTo(statOf(b, 'MINIMUM'), 8);
  expect(ours.max, `${what} max`).toBeCloseTo(statOf(b, 'MAXIMUM'), 8);
  expect(ours.mean, `${what} mean`).toBeCloseTo(statOf(b, 'MEAN'), 8);
}

/** The UTM zone of a patch from its Sentinel-2 tile name (…_33TUN_10_68): EPSG 326zz in the north. */
const utmEpsgOf = (id: string): number => 32600 + Number(/_(\d\d)[C-X][A-Z]{2}_\d+_\d+$/.exec(id)![1]);

describe('inspect DIR --json', () => {
  it('one object: ben-ge layout, counts, the UTM zones of the patches, an extent holding every patch centre, the splits', async () => {
    const s = jsonLine<{
      layout: string;
      patches: number;
      modalities: Record<string, number>;
      crs: number[];
      bbox_wgs84: [number, number, number, number];
      splits: { source: string; train: number; val: number; test: number; unassigned: number };
      missing: Record<string, number>;
      problems: { count: number };
    }>(await cli(['inspect', data, '--json']));
    expect(s.layout).toBe('ben-ge');
    expect(s.patches).toBe(PATCHES);
    for (const m of ['s2', 's1', 'dem', 'worldcover', 'climatezone', 'season', 'era5']) expect(s.modalities[m], m).toBe(PATCHES);
    expect(s.crs).toEqual([...new Set(meta.map((r) => utmEpsgOf(r.patch_id)))].sort((a, b) => a - b));
    const [w, south, e, n] = s.bbox_wgs84;
    for (const r of meta) {
      expect(Number(r.lon)).toBeGreaterThan(w);
      expect(Number(r.lon)).toBeLessThan(e);
      expect(Number(r.lat)).toBeGreaterThan(south);
      expect(Number(r.lat)).toBeLessThan(n);
    }
    expect(s.splits).toEqual({ source: 'csv', train: splitCount('train'), val: splitCount('val'), test: splitCount('test'), unassigned: 0 });
    expect(s.missing).toEqual({});
    expect(s.problems.count).toBe(0);
  });

  it('the readable summary says the same', async () => {
    const r = await cli(['inspect', data]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`ben-ge 'mini', ${PATCHES} patches`);
    expect(r.stdout).toMatch(/^ {2}CRS: EPSG:326\d\d/m);
  });

  it('a folder that is no dataset, a folder that is not there: exit 1, one line naming it', async () => {
    const other = join(tmp, 'notes');
    mkdirSync(other);
    writeFileSync(join(other, 'readme.txt'), 'not a dataset\n');
    expectOneLineError(await cli(['inspect', other, '--json']), 1, new RegExp(`^terrafuse inspect: ${escape(other)}: unknown layout: expected ben-ge`));
    const gone = join(tmp, 'gone');
    expectOneLineError(await cli(['inspect', gone]), 1, new RegExp(`^terrafuse inspect: ${escape(gone)}: dataset folder not found$`));
  });

  it('--patch with an id the dataset lacks: exit 1, one line naming the id and giving examples', async () => {
    expectOneLineError(await cli(['inspect', data, '--patch', 'no_such_patch', '--json']), 1, new RegExp(`no patch 'no_such_patch' \\(${PATCHES} patches, e\\.g\\. ${escape(meta[0].patch_id)}`));
  });
});

describe('inspect DIR --patch ID --json and raster FILE... --json agree with GDAL', () => {
  const id = (): string => meta[0].patch_id;
  // Each native resolution and type of a ben-ge patch: S2 at 60, 10 and 20 m (uint16), S1 in dB (float32), DEM, WorldCover (uint8).
  const files = (): Array<[string, string, string]> => [
    ['s2', 'B01', join(data, 'sentinel-2', id(), `${id()}_B01.tif`)],
    ['s2', 'B02', join(data, 'sentinel-2', id(), `${id()}_B02.tif`)],
    ['s2', 'B8A', join(data, 'sentinel-2', id(), `${id()}_B8A.tif`)],
    ['s1', 'VH', join(data, 'sentinel-1', meta[0].patch_id_s1, `${meta[0].patch_id_s1}_VH.tif`)],
    ['dem', 'dem', join(data, 'dem', `${id()}_dem.tif`)],
    ['worldcover', 'worldcover', join(data, 'esaworldcover', `${id()}_esaworldcover.tif`)],
  ];
  const gdal = new Map<string, GdalInfo>();
  beforeAll(() => {
    for (const [, , file] of files()) gdal.set(file, gdalinfo(file));
  });

  it('--patch: per modality and band the file, native size, dtype, CRS and statistics', async () => {
    const p = jsonLine<{
      id: string;
      layout: string;
      split: string | null;
      footprint: { epsg: number; bboxWgs84: number[] };
      modalities: Record<string, Record<string, { file: string; width: number; height: number; dtype: string; crs_epsg: number; valid: number; min: number; max: number; mean: number }>>;
    }>(await cli(['inspect', data, '--patch', id(), '--json']));
    expect(p).toMatchObject({ id: id(), layout: 'ben-ge' });
    expect(['train', 'val', 'test']).toContain(p.split);
    expect(p.footprint.epsg).toBe(utmEpsgOf(id()));
    expect(Object.keys(p.modalities.s2)).toEqual(['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B11', 'B12']);
    expect(Object.keys(p.modalities.s1).sort()).toEqual(['VH', 'VV']);
    for (const [modality, band, file] of files()) {
      const b = p.modalities[modality][band];
      const g = gdal.get(file)!;
      const gb = g.bands[0];
      expect(b, `${modality}/${band}`).toMatchObject({ file, width: g.size[0], height: g.size[1], dtype: GDAL_DTYPE[gb.type], crs_epsg: epsgOf(g), valid: validOf(g, gb) });
      expectStats(b, gb, `${modality}/${band}`);
    }
    // Native grids: 60 m, 10 m and 20 m bands of the 1.2 km patch.
    expect([p.modalities.s2.B01.width, p.modalities.s2.B02.width, p.modalities.s2.B8A.width]).toEqual([20, 120, 60]);
  });

  it('raster --json: one object per line per file, in order, with the contract keys first and GDAL values', async () => {
    const paths = files().map(([, , f]) => f);
    const r = await cli(['raster', ...paths, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(paths.length);
    lines.forEach((line, i) => {
      const o = JSON.parse(line) as { path: string; width: number; height: number; count: number; dtype: string; crs_epsg: number | null; transform: number[]; nodata: number | null; bands: { valid: number; min: number; max: number; mean: number }[] };
      expect(Object.keys(o).slice(0, 9)).toEqual(['path', 'width', 'height', 'count', 'dtype', 'crs_epsg', 'transform', 'nodata', 'bands']);
      const g = gdal.get(paths[i])!;
      const [c, a, b, f, d, e] = g.geoTransform; // GDAL's order -> the affine [a, b, c, d, e, f]
      expect(o).toMatchObject({ path: paths[i], width: g.size[0], height: g.size[1], count: g.bands.length, dtype: GDAL_DTYPE[g.bands[0].type], crs_epsg: epsgOf(g), transform: [a, b, c, d, e, f], nodata: g.bands[0].noDataValue ?? null });
      o.bands.forEach((band, k) => {
        const gb = g.bands[k];
        expect(band.valid).toBe(validOf(g, gb));
        expectStats(band, gb, paths[i]);
      });
    });
  });

  it('raster: a missing file among good ones is one stderr line naming it, the others still print, exit 1', async () => {
    const [first, second] = files().map(([, , f]) => f);
    const missing = join(data, 'nope.tif');
    const r = await cli(['raster', first, missing, second, '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { path: string }).path)).toEqual([first, second]);
    const err = r.stderr.trimEnd().split('\n');
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(new RegExp(`^terrafuse raster: .*${escape(missing)}`));
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
