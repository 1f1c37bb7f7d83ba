/**
 * Write a synthetic dataset in the ben-ge layout (as the lecture reads ben-ge-800):
 *
 *   <out>/sentinel-2/<id>/<id>_<BAND>.tif          12 bands, uint16 DN; 10 m bands 120x120, 20 m 60x60, 60 m 20x20
 *   <out>/sentinel-1/<id_s1>/<id_s1>_<VH|VV>.tif   float32 dB, 120x120
 *   <out>/esaworldcover/<id>_esaworldcover.tif     uint8 WorldCover codes, nodata 0
 *   <out>/dem/<id>_dem.tif                         float32 metres
 *   <out>/<name>_meta.csv, <name>_esaworldcover.csv, <name>_era-5.csv
 *   <out>/<name>_train.csv, <name>_val.csv, <name>_test.csv   one patch id per line, no header
 *   <out>/synth.json                               generator, seed, conventions (not part of ben-ge)
 *
 * All files of a patch share one georeferenced 1200 m footprint in its UTM zone. The dataset is written into
 * `<out>.partial` and renamed into place at the end, so an interrupted or cancelled run never leaves a half dataset
 * under the final name.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeGeoTiffBytes, type GeoTiffRaster, type GeoTiffWriteOptions } from '../../geo/write';
import { ERA5_VARIABLES, S2_BAND_GSD, S2_BANDS, WORLDCOVER_CLASSES } from '../modalities';
import { createRng } from '../rng';
import { synthesizePatch, type SynthPatch } from './patch';
import { planDataset, splitIds, type PlannedPatch } from './plan';

/** ben-ge's column names for the WorldCover class fractions, in WORLDCOVER_CLASSES order. */
export const BENGE_WORLDCOVER_COLUMNS = [
  'tree_cover', 'shrubland', 'grassland', 'cropland', 'built-up', 'bare/sparse_vegetation', 'snow_and_ice',
  'permanent_water_bodies', 'herbaceous_wetland', 'mangroves', 'moss_and_lichen',
] as const;

export const META_COLUMNS = [
  'patch_id', 'patch_id_s1', 'timestamp_s2', 'timestamp_s1', 'season_s2', 'season_s1', 'lon', 'lat', 'climatezone',
] as const;

export const GENERATOR_VERSION = 1;

export interface GenerateOptions {
  /** Output folder (must not exist unless `overwrite`). */
  out: string;
  patches: number;
  seed: number | string;
  /** Dataset name used in the CSV file names (default: the output folder's name). */
  name?: string;
  /** GeoTIFF compression (default 'none', like BigEarthNet; 'deflate' saves about 30 %: sensor noise and speckle compress poorly). */
  compression?: 'none' | 'deflate';
  /** Replace an existing output folder. */
  overwrite?: boolean;
  /** Train and validation fractions (default 0.7 and 0.15; the rest is test). */
  split?: { train: number; val: number };
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface GenerateSummary {
  out: string;
  name: string;
  patches: number;
  tiles: string[];
  files: number;
  bytes: number;
  seconds: number;
  patchesPerSecond: number;
  splits: { train: number; val: number; test: number };
  /** Patches per Köppen code. */
  climatezones: Record<string, number>;
  /** Mean WorldCover class fractions over the dataset, by ben-ge column name. */
  worldcover: Record<string, number>;
  cloudyPatches: number;
}

function formatTimestamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function csvLine(values: Array<string | number>): string {
  return values.map((v) => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v))).join(',');
}

function fixed(v: number, digits: number): string {
  // toFixed never yields exponent notation for |v| < 1e21 and keeps CSVs diff-friendly.
  const s = v.toFixed(digits);
  return s === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : s;
}

/** The GeoTIFF files of one patch, encoded: [relative path, bytes]. */
function encodePatchFiles(plan: PlannedPatch, patch: SynthPatch, tiff: GeoTiffWriteOptions): Array<[string, Uint8Array]> {
  const [, , ulx, , , uly] = patch.transform;
  const epsg = patch.epsg;
  const files: Array<[string, Uint8Array]> = [];
  const add = (path: string, raster: GeoTiffRaster): void => {
    files.push([path, encodeGeoTiffBytes(raster, tiff)]);
  };
  for (const band of S2_BANDS) {
    const gsd = S2_BAND_GSD[band];
    const size = 1200 / gsd;
    add(join('sentinel-2', plan.id, `${plan.id}_${band}.tif`), {
      width: size, height: size, bands: [patch.s2[band]], transform: [gsd, 0, ulx, 0, -gsd, uly], epsg,
    });
  }
  for (const pol of ['VH', 'VV'] as const) {
    add(join('sentinel-1', plan.idS1, `${plan.idS1}_${pol}.tif`), {
      width: 120, height: 120, bands: [patch.s1[pol]], transform: patch.transform, epsg,
    });
  }
  add(join('esaworldcover', `${plan.id}_esaworldcover.tif`), {
    width: 120, height: 120, bands: [patch.worldcover], transform: patch.transform, epsg, nodata: 0,
  });
  add(join('dem', `${plan.id}_dem.tif`), { width: 120, height: 120, bands: [patch.dem], transform: patch.transform, epsg });
  return files;
}

/** Generate a synthetic ben-ge dataset on disk. */
export async function generateBenGe(opts: GenerateOptions): Promise<GenerateSummary> {
  const started = performance.now();
  const out = resolve(opts.out);
  const name = opts.name ?? out.split(/[\\/]/).filter(Boolean).pop() ?? 'synth';
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`dataset name '${name}' must be letters, digits, '.', '_' or '-'`);
  if (existsSync(out) && !opts.overwrite) throw new Error(`output folder ${out} already exists (use overwrite to replace it)`);
  const partial = `${out}.partial`;
  await rm(partial, { recursive: true, force: true });

  const plan = planDataset(opts.seed, opts.patches);
  const root = createRng(opts.seed);
  const tiff: GeoTiffWriteOptions = opts.compression === 'deflate' ? { compression: 'deflate', predictor: 'auto' } : {};

  const meta: string[] = [csvLine([...META_COLUMNS])];
  const wc: string[] = [csvLine(['patch_id', ...BENGE_WORLDCOVER_COLUMNS])];
  const era5: string[] = [csvLine(['patch_id', 'patch_id_s1', ...ERA5_VARIABLES])];
  const climatezones: Record<string, number> = {};
  const wcSum = new Array<number>(WORLDCOVER_CLASSES.length).fill(0);
  let files = 0, bytes = 0, cloudyPatches = 0;

  try {
    await mkdir(partial, { recursive: true });
    for (const sub of ['sentinel-2', 'sentinel-1', 'esaworldcover', 'dem']) await mkdir(join(partial, sub));
    let lastYield = performance.now();
    for (let k = 0; k < plan.length; k++) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('synthetic data generation cancelled');
      const p = plan[k];
      const patch = synthesizePatch(p.params, root.fork(`patch:${p.id}`));
      const encoded = encodePatchFiles(p, patch, tiff);
      mkdirSync(join(partial, 'sentinel-2', p.id));
      mkdirSync(join(partial, 'sentinel-1', p.idS1));
      for (const [rel, data] of encoded) {
        writeFileSync(join(partial, rel), data);
        files++;
        bytes += data.byteLength;
      }

      meta.push(csvLine([
        p.id, p.idS1, formatTimestamp(p.params.s2Time), formatTimestamp(p.params.s1Time),
        fixed(patch.seasonS2, 6), fixed(patch.seasonS1, 6), fixed(patch.lon, 6), fixed(patch.lat, 6), patch.climatezone,
      ]));
      wc.push(csvLine([p.id, ...patch.worldcoverFractions.map((f) => fixed(f, 6))]));
      const e = patch.era5;
      era5.push(csvLine([
        p.id, p.idS1, e.atmpressure_level,
        ...ERA5_VARIABLES.slice(1).map((v) => fixed(e[v], v.startsWith('temperature') ? 2 : v.startsWith('relhumidity') ? 1 : 2)),
      ]));
      climatezones[patch.climatezone] = (climatezones[patch.climatezone] ?? 0) + 1;
      patch.worldcoverFractions.forEach((f, i) => (wcSum[i] += f));
      let cloudPixels = 0;
      for (let i = 0; i < patch.cloudMask.length; i++) if (patch.cloudMask[i] === 1) cloudPixels++;
      if (cloudPixels > 0) cloudyPatches++;

      opts.onProgress?.(k + 1, plan.length);
      // Let the event loop breathe (progress rendering, cancellation) without paying for it on every patch.
      if (performance.now() - lastYield > 50) {
        await new Promise<void>((r) => setImmediate(r));
        lastYield = performance.now();
      }
    }

    const ids = plan.map((p) => p.id);
    const split = splitIds(ids, opts.seed, opts.split?.train ?? 0.7, opts.split?.val ?? 0.15);
    const lines = (xs: string[]): string => (xs.length ? `${xs.join('\n')}\n` : '');
    await writeFile(join(partial, `${name}_meta.csv`), lines(meta));
    await writeFile(join(partial, `${name}_esaworldcover.csv`), lines(wc));
    await writeFile(join(partial, `${name}_era-5.csv`), lines(era5));
    await writeFile(join(partial, `${name}_train.csv`), lines(split.train));
    await writeFile(join(partial, `${name}_val.csv`), lines(split.val));
    await writeFile(join(partial, `${name}_test.csv`), lines(split.test));
    const tiles = [...new Set(plan.map((p) => p.params.tile))];
    await writeFile(join(partial, 'synth.json'), `${JSON.stringify({
      generator: 'terrafuse synth', version: GENERATOR_VERSION, seed: String(opts.seed), patches: plan.length, name, tiles,
      conventions: {
        season: 'ben-ge encoding: sin(pi * frac(day_of_year + 9 days)), 1 at the summer solstice, 0 at the winter solstice',
        timestamps: 'UTC, "YYYY-MM-DD HH:MM:SS"',
        sentinel2: 'L2A DN = reflectance * 10000 (uint16); native 10/20/60 m grids',
        sentinel1: 'sigma0 in dB (float32), IW GRDH-like speckle',
        dem: 'metres (float32), surface model incl. canopy and buildings, water flat',
        esaworldcover: 'WorldCover codes 10..100 (uint8), 0 = nodata; CSV fractions over valid pixels',
        climatezone: 'Koppen-Geiger code 1..30 (Beck et al. 2018 numbering); 0 for all-water patches',
        era5: 'pressure level hPa nearest to surface pressure at the mean elevation; temperature K; wind m/s; RH %',
        ids: 'S2: <S2A|S2B>_MSIL2A_<YYYYMMDDTHHMMSS>_<MGRS tile>_<col>_<row>; S1: <S1A|S1B>_IW_GRDH_1SDV_<time>_<tile>_<col>_<row>',
      },
    }, null, 2)}\n`);
    files += 7;

    if (existsSync(out)) {
      const old = `${out}.old-${process.pid}`;
      await rename(out, old);
      await rename(partial, out);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(partial, out);
    }
    const seconds = (performance.now() - started) / 1000;
    const worldcover: Record<string, number> = {};
    BENGE_WORLDCOVER_COLUMNS.forEach((c, i) => (worldcover[c] = wcSum[i] / plan.length));
    return {
      out, name, patches: plan.length, tiles, files, bytes, seconds, patchesPerSecond: plan.length / seconds,
      splits: { train: split.train.length, val: split.val.length, test: split.test.length },
      climatezones, worldcover, cloudyPatches,
    };
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}
