/**
 * Georeferencing edge cases that the shared data does not all cover, on files written with exactly the tags in
 * question: PixelIsPoint with a pixel scale and with ModelTransformation, negative ScaleY, scale + matrix, GCPs,
 * a scale without tiepoint, user-defined CRSs. Expectations follow GDAL's documented rules; where GDAL (gdalinfo)
 * and rasterio (Debian python3-rasterio) are installed, the same files are also read by them and must agree.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRaster } from '../../../src-main/core/geo/raster';
import type { GeoTransform } from '../../../src-main/core/geo/types';
import { tinyTiff, type GeoKeyValue, type Tag } from './tiny-tiff';

const dir = mkdtempSync(join(tmpdir(), 'terrafuse-georef-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scale = (sx: number, sy: number): Tag => ({ type: 'DOUBLE', value: [sx, sy, 0] });
const tie = (...v: number[]): Tag => ({ type: 'DOUBLE', value: v });
const matrix = (a: number, b: number, c: number, d: number, e: number, f: number): Tag => ({
  type: 'DOUBLE',
  value: [a, b, 0, c, d, e, 0, f, 0, 0, 0, 0, 0, 0, 0, 1],
});
const UTM33N: [number, GeoKeyValue][] = [[1024, 1], [1025, 1], [3072, 32633]];
const POINT_UTM33N: [number, GeoKeyValue][] = [[1024, 1], [1025, 2], [3072, 32633]];

function write(name: string, tags: Record<number, Tag>, geoKeys?: [number, GeoKeyValue][]): string {
  const path = join(dir, `${name}.tif`);
  writeFileSync(path, tinyTiff({ width: 4, height: 3, bitsPerSample: 8, sampleFormat: 1, data: Array.from({ length: 12 }, (_, i) => i), tags, geoKeys }));
  return path;
}

interface Case {
  name: string;
  tags: Record<number, Tag>;
  keys?: [number, GeoKeyValue][];
  transform: GeoTransform;
  epsg: number | null;
  georef: string;
}

const cases: Case[] = [
  // Tiepoint (2, 1) -> (1000, 2000): origin = tiepoint - pixel offset * scale.
  { name: 'area-scale', tags: { 33550: scale(10, 10), 33922: tie(2, 1, 0, 1000, 2000, 0) }, keys: UTM33N, transform: [10, 0, 980, 0, -10, 2010], epsg: 32633, georef: 'pixelscale' },
  // PixelIsPoint: the tiepoint is a pixel centre, so the corner is half a pixel up-left.
  { name: 'point-scale', tags: { 33550: scale(10, 10), 33922: tie(0, 0, 0, 1000, 2000, 0) }, keys: POINT_UTM33N, transform: [10, 0, 995, 0, -10, 2005], epsg: 32633, georef: 'pixelscale' },
  // ...and with a rotated matrix the half-pixel shift follows both matrix columns.
  { name: 'point-matrix', tags: { 34264: matrix(10, 2, 1000, 3, -10, 2000) }, keys: POINT_UTM33N, transform: [10, 2, 1000 - 0.5 * (10 + 2), 3, -10, 2000 - 0.5 * (3 - 10)], epsg: 32633, georef: 'transformation' },
  { name: 'area-matrix', tags: { 34264: matrix(10, 2, 1000, 3, -10, 2000) }, keys: UTM33N, transform: [10, 2, 1000, 3, -10, 2000], epsg: 32633, georef: 'transformation' },
  // GDAL reads a negative ScaleY as north-up (contrary to the GeoTIFF spec, GTIFF_HONOUR_NEGATIVE_SCALEY=NO).
  { name: 'negative-scale-y', tags: { 33550: scale(10, -10), 33922: tie(0, 0, 0, 1000, 2000, 0) }, keys: UTM33N, transform: [10, 0, 1000, 0, -10, 2000], epsg: 32633, georef: 'pixelscale' },
  // Scale + tiepoint win over a ModelTransformation.
  { name: 'scale-beats-matrix', tags: { 33550: scale(10, 10), 33922: tie(0, 0, 0, 1000, 2000, 0), 34264: matrix(5, 0, 7, 0, -5, 9) }, keys: UTM33N, transform: [10, 0, 1000, 0, -10, 2000], epsg: 32633, georef: 'pixelscale' },
  // A scale without tiepoint is no geotransform at all.
  { name: 'scale-without-tiepoint', tags: { 33550: scale(10, 10) }, keys: UTM33N, transform: [1, 0, 0, 0, 1, 0], epsg: 32633, georef: 'none' },
  // Several tiepoints and no scale are GCPs: identity transform, and the CRS belongs to the GCPs.
  { name: 'gcps', tags: { 33922: tie(0, 0, 0, 1000, 2000, 0, 4, 0, 0, 1040, 2000, 0, 0, 3, 0, 1000, 1970, 0) }, keys: UTM33N, transform: [1, 0, 0, 0, 1, 0], epsg: null, georef: 'gcps' },
  { name: 'no-georef', tags: {}, transform: [1, 0, 0, 0, 1, 0], epsg: null, georef: 'none' },
];

const TM = (zone: number, south: boolean, units = 9001): [number, GeoKeyValue][] => [
  [3075, 1], [3081, [0]], [3080, [zone * 6 - 183]], [3092, [0.9996]], [3082, [500000]], [3083, [south ? 10000000 : 0]], [3076, units],
];
const UD_PCS: [number, GeoKeyValue][] = [[1024, 1], [1025, 1], [3072, 32767], [3074, 32767]];
const crsCases: { name: string; keys: [number, GeoKeyValue][]; epsg: number | null }[] = [
  { name: 'ud-utm33n-wgs84', keys: [...UD_PCS, [2048, 4326], ...TM(33, false)], epsg: 32633 },
  { name: 'ud-utm33s-datum-key', keys: [...UD_PCS, [2048, 32767], [2050, 6326], [2056, 7030], ...TM(33, true)], epsg: 32733 },
  { name: 'ud-utm32n-etrs89', keys: [...UD_PCS, [2048, 4258], ...TM(32, false)], epsg: 25832 },
  { name: 'ud-utm18n-nad83', keys: [...UD_PCS, [2048, 4269], ...TM(18, false)], epsg: 26918 },
  { name: 'ud-utm11n-nad27', keys: [...UD_PCS, [2048, 4267], ...TM(11, false)], epsg: 26711 },
  { name: 'ud-utm-in-feet', keys: [...UD_PCS, [2048, 4326], ...TM(33, false, 9002)], epsg: null },
  { name: 'ud-tm-not-utm', keys: [...UD_PCS, [2048, 4326], [3075, 1], [3081, [0]], [3080, [15]], [3092, [0.9999]], [3082, [500000]], [3083, [0]]], epsg: null },
  { name: 'projection-key-16033', keys: [[1024, 1], [1025, 1], [2048, 4326], [3072, 32767], [3074, 16033]], epsg: 32633 },
  { name: 'projection-key-16133', keys: [[1024, 1], [1025, 1], [2048, 4326], [3072, 32767], [3074, 16133]], epsg: 32733 },
  // LAEA with EPSG:3035's parameters is not identified by rasterio either.
  { name: 'laea-3035-params', keys: [...UD_PCS, [2048, 4258], [3075, 10], [3088, [10]], [3089, [52]], [3082, [4321000]], [3083, [3210000]], [3076, 9001]], epsg: null },
  { name: 'citation-only', keys: [[1024, 1], [1025, 1], [1026, 'WGS 84 / UTM zone 33N'], [3072, 32767]], epsg: null },
  { name: 'geographic-user-defined-wgs84-datum', keys: [[1024, 2], [1025, 1], [2048, 32767], [2050, 6326], [2056, 7030]], epsg: 4326 },
  { name: 'geographic-4269', keys: [[1024, 2], [1025, 1], [2048, 4269]], epsg: 4269 },
  { name: 'pcs-without-model-type', keys: [[3072, 32632]], epsg: 32632 },
  { name: 'model-type-user-defined', keys: [[1024, 32767]], epsg: null },
];

describe('geotransform as GDAL derives it', () => {
  it.each(cases)('$name', async (c) => {
    const info = await openRaster(write(c.name, c.tags, c.keys));
    expect(info.transform).toEqual(c.transform);
    expect(info.crs_epsg).toBe(c.epsg);
    expect(info.georef).toBe(c.georef);
    if (c.georef === 'gcps') {
      expect(info.gcps).toHaveLength(3);
      expect(info.gcps[1]).toEqual({ col: 4, row: 0, x: 1040, y: 2000, z: 0 });
      expect(info.gcp_crs_epsg).toBe(32633);
    }
  });

  const haveGdal = spawnSync('gdalinfo', ['--version']).status === 0;
  it.skipIf(!haveGdal)('gdalinfo reports the same geotransforms', () => {
    for (const c of cases) {
      const out = spawnSync('gdalinfo', ['-json', write(c.name, c.tags, c.keys)], { encoding: 'utf8' });
      expect(out.status, out.stderr).toBe(0);
      const gt = (JSON.parse(out.stdout) as { geoTransform?: number[] }).geoTransform ?? [0, 1, 0, 0, 0, 1];
      expect({ name: c.name, transform: [gt[1], gt[2], gt[0], gt[4], gt[5], gt[3]] }).toEqual({ name: c.name, transform: c.transform });
    }
  });
});

describe('EPSG from GeoKeys as GDAL + rasterio identify it', () => {
  const georef = { 33550: scale(10, 10), 33922: tie(0, 0, 0, 500000, 5000000, 0) };

  it.each(crsCases)('$name -> $epsg', async (c) => {
    expect((await openRaster(write(c.name, georef, c.keys))).crs_epsg).toBe(c.epsg);
  });

  const python = spawnSync('/usr/bin/python3', ['-c', 'import rasterio'], { encoding: 'utf8' });
  it.skipIf(python.status !== 0)('rasterio\'s crs.to_epsg() gives the same codes', () => {
    const script = [
      'import sys, json, warnings, rasterio',
      'warnings.simplefilter("ignore")',
      'out = {}',
      'for p in sys.argv[1:]:',
      '    with rasterio.open(p) as ds:',
      '        out[p] = ds.crs.to_epsg() if ds.crs else None',
      'print(json.dumps(out))',
    ].join('\n');
    const paths = crsCases.map((c) => write(c.name, georef, c.keys));
    const run = spawnSync('/usr/bin/python3', ['-c', script, ...paths], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const codes = JSON.parse(run.stdout) as Record<string, number | null>;
    expect(crsCases.map((c) => [c.name, codes[join(dir, `${c.name}.tif`)]])).toEqual(crsCases.map((c) => [c.name, c.epsg]));
  });
});
