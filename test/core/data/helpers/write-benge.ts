/**
 * Writes small, deterministic ben-ge-layout datasets for tests: S2 bands at their
 * BigEarthNet sizes (120 / 60 / 20 px for 10 / 20 / 60 m), S1 in dB, DEM, WorldCover map, meta / fractions /
 * ERA-5 / split CSVs. The fractions CSV is computed from the map it accompanies, so targets can be cross-checked.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeGeoTiffSync } from '../../../../src-main/core/geo/write';
import { createRng } from '../../../../src-main/core/data/rng';
import { ERA5_VARIABLES, S2_BANDS, S2_BAND_GSD, WORLDCOVER_CLASSES } from '../../../../src-main/core/data/modalities';
import type { GeoTransform } from '../../../../src-main/core/geo/types';

export interface BengeFixture {
  root: string;
  name: string;
  ids: string[];
  s1Ids: string[];
  /** Upper-left corner (UTM 32N) of each patch. */
  origins: [number, number][];
  /** WorldCover codes of each patch map (row-major 120 x 120). */
  maps: Uint8Array[];
  splits: Record<'train' | 'val' | 'test', string[]>;
}

export interface BengeFixtureOptions {
  patches: number;
  seed?: number;
  name?: string;
  /** Write split CSVs (default true). */
  splits?: boolean;
  /** Write the ERA-5 CSV (default true). */
  era5?: boolean;
}

export const FIXTURE_EPSG = 32632;

export function fixtureTransform(origin: [number, number], pixel: number): GeoTransform {
  return [pixel, 0, origin[0], 0, -pixel, origin[1]];
}

export function writeBengeFixture(root: string, options: BengeFixtureOptions): BengeFixture {
  const name = options.name ?? 'mini';
  const rng = createRng(options.seed ?? 1);
  for (const d of ['sentinel-2', 'sentinel-1', 'dem', 'esaworldcover']) mkdirSync(join(root, d), { recursive: true });
  const ids: string[] = [];
  const s1Ids: string[] = [];
  const origins: [number, number][] = [];
  const maps: Uint8Array[] = [];
  const metaRows: string[] = ['patch_id,patch_id_s1,timestamp_s2,timestamp_s1,season_s2,season_s1,lon,lat,climatezone'];
  const fracRows: string[] = ['patch_id,tree_cover,shrubland,grassland,cropland,built-up,bare/sparse_vegetation,snow_and_ice,permanent_water_bodies,herbaceous_wetland,mangroves,moss_and_lichen'];
  const eraRows: string[] = [`patch_id,${ERA5_VARIABLES.join(',')}`];
  for (let p = 0; p < options.patches; p++) {
    const id = `S2A_MSIL2A_20170613T101031_${p}_${p + 7}`;
    const s1Id = `S1A_IW_GRDH_1SDV_20170613T165043_32TNT_${p}_${p + 7}`;
    const origin: [number, number] = [500000 + 1200 * p, 5300000 - 1200 * (p % 3)];
    ids.push(id);
    s1Ids.push(s1Id);
    origins.push(origin);
    const r = rng.fork(`patch:${p}`);
    // WorldCover: vertical stripes of 2-3 classes, dominant class varying by patch.
    const classes = [WORLDCOVER_CLASSES[p % 11].code, WORLDCOVER_CLASSES[(p + 3) % 11].code, WORLDCOVER_CLASSES[(p + 5) % 11].code];
    const map = new Uint8Array(14400);
    const cut1 = 60 + (p % 5) * 8;
    const cut2 = cut1 + 20;
    for (let y = 0; y < 120; y++) for (let x = 0; x < 120; x++) map[y * 120 + x] = x < cut1 ? classes[0] : x < cut2 ? classes[1] : classes[2];
    maps.push(map);
    const dir2 = join(root, 'sentinel-2', id);
    mkdirSync(dir2, { recursive: true });
    S2_BANDS.forEach((b, bi) => {
      const gsd = S2_BAND_GSD[b];
      const n = (120 * 10) / gsd;
      const data = new Uint16Array(n * n);
      for (let i = 0; i < data.length; i++) data[i] = 200 + bi * 150 + Math.floor(r.next() * 2000);
      writeGeoTiffSync(join(dir2, `${id}_${b}.tif`), { width: n, height: n, bands: [data], transform: fixtureTransform(origin, gsd), epsg: FIXTURE_EPSG }, { atomic: false });
    });
    const dir1 = join(root, 'sentinel-1', s1Id);
    mkdirSync(dir1, { recursive: true });
    for (const [bi, b] of ['VH', 'VV'].entries()) {
      const data = new Float32Array(14400);
      for (let i = 0; i < data.length; i++) data[i] = -22 + bi * 6 + r.normal() * 3;
      writeGeoTiffSync(join(dir1, `${s1Id}_${b}.tif`), { width: 120, height: 120, bands: [data], transform: fixtureTransform(origin, 10), epsg: FIXTURE_EPSG }, { atomic: false });
    }
    const dem = new Int16Array(14400);
    for (let y = 0; y < 120; y++) for (let x = 0; x < 120; x++) dem[y * 120 + x] = 300 + 50 * p + y + x;
    writeGeoTiffSync(join(root, 'dem', `${id}_dem.tif`), { width: 120, height: 120, bands: [dem], transform: fixtureTransform(origin, 10), epsg: FIXTURE_EPSG }, { atomic: false });
    writeGeoTiffSync(join(root, 'esaworldcover', `${id}_esaworldcover.tif`), { width: 120, height: 120, bands: [map], transform: fixtureTransform(origin, 10), epsg: FIXTURE_EPSG, nodata: 0 }, { atomic: false });
    const season = (p % 10) / 10;
    metaRows.push(`${id},${s1Id},2017-06-13 10:10:31,2017-06-13 16:50:43,${season},${season},${(9 + p * 0.0163).toFixed(5)},${(47.8 + (p % 3) * 0.0108).toFixed(5)},${p % 7 === 6 ? 0 : 14 + (p % 3)}`);
    const counts = WORLDCOVER_CLASSES.map((c) => map.reduce((s, v) => s + (v === c.code ? 1 : 0), 0) / 14400);
    fracRows.push(`${id},${counts.join(',')}`);
    eraRows.push(`${id},${ERA5_VARIABLES.map((_, k) => (k === 0 ? 950 - 25 * (p % 3) : 280 + k + p * 0.5).toString()).join(',')}`);
  }
  writeFileSync(join(root, `${name}_meta.csv`), `${metaRows.join('\n')}\n`);
  writeFileSync(join(root, `${name}_esaworldcover.csv`), `${fracRows.join('\n')}\n`);
  if (options.era5 !== false) writeFileSync(join(root, `${name}_era-5.csv`), `${eraRows.join('\n')}\n`);
  const splits = { train: [] as string[], val: [] as string[], test: [] as string[] };
  ids.forEach((id, i) => {
    const s = i % 10 < 6 ? 'train' : i % 10 < 8 ? 'val' : 'test';
    splits[s].push(id);
  });
  if (options.splits !== false) {
    for (const s of ['train', 'val', 'test'] as const) writeFileSync(join(root, `${name}_${s}.csv`), `patch_id\n${splits[s].join('\n')}\n`);
  }
  return { root, name, ids, s1Ids, origins, maps, splits };
}
