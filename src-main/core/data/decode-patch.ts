/**
 * Decodes one patch from its source files onto the 10 m 120 x 120 grid, in physical units:
 *   s2: Float32 [120*120*12] NHWC, digital numbers (L2A reflectance x 10000), bands in S2_BANDS order, 20/60 m
 *       bands resampled bilinearly (see resample.ts for the pixel-centre convention)
 *   s1: Float32 [120*120*2] NHWC, backscatter in dB (VH, VV); nodata and NaN stay NaN
 *   dem: Float32 [120*120], metres; nodata/NaN filled with the mean of the valid pixels (reported)
 *   worldcover: Int32 [120*120] class indices 0..10, IGNORE_INDEX where nodata or an unknown code
 *   reference: Int32 [120*120] CORINE codes (BigEarthNet v2), 0 where nodata
 * Every file problem becomes a `DataProblem`; a modality with a bad file is dropped from the result, the rest of
 * the patch still decodes.
 */
import { IGNORE_INDEX, PATCH_SIZE, PIXEL_SIZE_M, S1_BANDS, S2_BANDS, S2_BAND_GSD, worldCoverIndex } from './modalities';
import type { S2Band } from './modalities';
import type { BandFile, PatchEntry, SpatialSource } from './layouts/types';
import { DataFileError, problemFrom, type DataProblem } from './problems';
import { readRasterFile, type GeoTransform, type RasterArray, type RasterInfo } from './raster-io';
import { axisMap, resampleBilinear, resampleNearest, sameExtentMap, type AxisMap } from './resample';

const N = PATCH_SIZE * PATCH_SIZE;

export interface PatchGrid {
  /** EPSG of the patch's CRS (null when the files carry none). */
  epsg: number | null;
  /** Transform of the 10 m 120 x 120 grid. */
  transform: GeoTransform;
}

export interface DecodedPatch {
  id: string;
  s2?: Float32Array;
  s1?: Float32Array;
  dem?: Float32Array;
  worldcover?: Int32Array;
  reference?: Int32Array;
  grid?: PatchGrid;
  problems: DataProblem[];
}

interface ReadBand {
  file: string;
  info: RasterInfo;
  data: RasterArray;
}

/** Reads the given band files, each file once (chips keep all bands in one file). */
async function readBands<K extends string>(files: Record<K, BandFile>, keys: readonly K[]): Promise<Record<K, ReadBand>> {
  const byPath = new Map<string, number[]>();
  for (const k of keys) {
    const f = files[k];
    byPath.set(f.path, [...(byPath.get(f.path) ?? []), f.band]);
  }
  const decoded = new Map<string, Awaited<ReturnType<typeof readRasterFile>>>();
  for (const path of byPath.keys()) decoded.set(path, await readRasterFile(path));
  const out = {} as Record<K, ReadBand>;
  for (const k of keys) {
    const f = files[k];
    const r = decoded.get(f.path)!;
    if (f.band >= r.info.count) throw new DataFileError(f.path, `band ${f.band + 1} expected but the file has ${r.info.count}`);
    out[k] = { file: f.path, info: r.info, data: r.bands[f.band] };
  }
  return out;
}

function isGeoreferenced(info: RasterInfo): boolean {
  const [a, b, c, d, e, f] = info.transform;
  return !(a === 1 && b === 0 && c === 0 && d === 0 && e === 1 && f === 0) && b === 0 && d === 0;
}

/** The 10 m grid of a patch from a reference raster (any resolution covering the patch). */
function gridFrom(info: RasterInfo): PatchGrid {
  const [a, b, c, d, e, f] = info.transform;
  const sx = (a * info.width) / PATCH_SIZE;
  const sy = (e * info.height) / PATCH_SIZE;
  return { epsg: info.crs_epsg, transform: [sx, b, c, d, sy, f] };
}

/** Source-pixel mapping of the target grid: by transforms when both are georeferenced in one CRS, else by extent. */
function mapsFor(info: RasterInfo, grid: PatchGrid | undefined): { mx: AxisMap; my: AxisMap } {
  if (grid && isGeoreferenced(info) && info.crs_epsg !== null && info.crs_epsg === grid.epsg) {
    const [a, , c, , e, f] = info.transform;
    const [ga, , gc, , ge, gf] = grid.transform;
    return { mx: axisMap(gc, ga, c, a), my: axisMap(gf, ge, f, e) };
  }
  return { mx: sameExtentMap(info.width, PATCH_SIZE), my: sameExtentMap(info.height, PATCH_SIZE) };
}

/** Checks that a georeferenced raster covers the patch grid (within one 10 m pixel). */
function checkCoverage(band: ReadBand, grid: PatchGrid | undefined): void {
  if (!grid || !isGeoreferenced(band.info) || band.info.crs_epsg !== grid.epsg || band.info.crs_epsg === null) return;
  const [a, , c, , e, f] = band.info.transform;
  const [ga, , gc, , ge, gf] = grid.transform;
  const tol = Math.abs(ga) * 1.01;
  const ok = Math.abs(c - gc) <= tol && Math.abs(f - gf) <= tol
    && Math.abs(c + a * band.info.width - (gc + ga * PATCH_SIZE)) <= tol
    && Math.abs(f + e * band.info.height - (gf + ge * PATCH_SIZE)) <= tol;
  if (!ok) {
    throw new DataFileError(band.file, `covers x ${c}..${c + a * band.info.width}, y ${f + e * band.info.height}..${f}, not the patch grid x ${gc}..${gc + ga * PATCH_SIZE}, y ${gf + ge * PATCH_SIZE}..${gf}`);
  }
}

function sizeText(info: RasterInfo): string {
  return `${info.width}x${info.height}`;
}

/** Sentinel-2: native sizes must be 120 (10 m grid), or 120 * 10 / GSD (BigEarthNet's 60 and 20). */
function checkS2Size(band: S2Band, r: ReadBand, chip: boolean): void {
  if (chip) return; // chips: all bands share one file of any size
  const native = (PATCH_SIZE * PIXEL_SIZE_M) / S2_BAND_GSD[band];
  const { width, height } = r.info;
  if ((width === native && height === native) || (width === PATCH_SIZE && height === PATCH_SIZE)) return;
  throw new DataFileError(r.file, `${band} is ${sizeText(r.info)}; expected ${native}x${native} (${S2_BAND_GSD[band]} m) or ${PATCH_SIZE}x${PATCH_SIZE}`);
}

function checkGridSize(r: ReadBand, what: string, chip: boolean, grid: PatchGrid | undefined): void {
  if (chip) return;
  if (r.info.width === PATCH_SIZE && r.info.height === PATCH_SIZE) return;
  // Other sizes are fine when the file's georeferencing shows it covers the patch (e.g. a 30 m DEM, 40 x 40).
  if (grid && isGeoreferenced(r.info) && r.info.crs_epsg === grid.epsg && r.info.crs_epsg !== null) {
    checkCoverage(r, grid);
    return;
  }
  throw new DataFileError(r.file, `${what} is ${sizeText(r.info)}; expected ${PATCH_SIZE}x${PATCH_SIZE}`);
}

function countInvalid(data: RasterArray, nodata: number | null): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== v || v === nodata) n++;
  }
  return n;
}

function isChip(entry: PatchEntry): boolean {
  const s2 = entry.files.s2;
  return s2 !== undefined && s2.B01.path === s2.B02.path;
}

export interface DecodeOptions {
  /** Which sources to decode (default: all the patch has). */
  sources?: readonly SpatialSource[];
}

export async function decodePatch(entry: PatchEntry, options: DecodeOptions = {}): Promise<DecodedPatch> {
  const want = new Set(options.sources ?? ['s2', 's1', 'dem', 'worldcover', 'reference']);
  const out: DecodedPatch = { id: entry.id, problems: [] };
  const chip = isChip(entry) || (entry.files.s1 !== undefined && entry.files.s1.VH.path === entry.files.s1.VV.path);
  const fail = (err: unknown, file: string, modality: string): void => {
    out.problems.push({ ...problemFrom(err, file, { patchId: entry.id, modality }), reason: `${problemFrom(err, file).reason}; ${modality} of this patch skipped` });
  };

  // Sentinel-2 first: its 10 m band defines the grid.
  if (entry.files.s2 && want.has('s2')) {
    const files = entry.files.s2;
    try {
      const bands = await readBands(files, S2_BANDS);
      for (const b of S2_BANDS) checkS2Size(b, bands[b], chip);
      const ref = bands.B02;
      out.grid = gridFrom(ref.info);
      const s2 = new Float32Array(N * S2_BANDS.length);
      let nan = 0;
      S2_BANDS.forEach((b, c) => {
        const r = bands[b];
        const { mx, my } = mapsFor(r.info, out.grid);
        if (r.info.width === PATCH_SIZE && r.info.height === PATCH_SIZE && mx.step === 1 && Math.abs(mx.offset) < 1e-9 && Math.abs(my.offset) < 1e-9) {
          for (let i = 0, o = c; i < N; i++, o += S2_BANDS.length) s2[o] = r.data[i];
        } else {
          resampleBilinear(r.data, r.info.width, r.info.height, s2, PATCH_SIZE, PATCH_SIZE, mx, my, S2_BANDS.length, c);
        }
        if (r.info.dtype.startsWith('float')) nan += countInvalid(r.data, null);
      });
      if (nan > 0) {
        for (let i = 0; i < s2.length; i++) if (s2[i] !== s2[i]) s2[i] = 0;
        out.problems.push({ severity: 'warning', file: files.B02.path, reason: `${nan} NaN pixels in Sentinel-2 set to 0 (nodata)`, patchId: entry.id, modality: 's2' });
      }
      out.s2 = s2;
    } catch (err) {
      fail(err, files.B02.path, 's2');
    }
  }

  if (entry.files.s1 && want.has('s1')) {
    const files = entry.files.s1;
    try {
      const bands = await readBands(files, S1_BANDS);
      if (!out.grid) out.grid = gridFrom(bands.VV.info);
      const s1 = new Float32Array(N * S1_BANDS.length);
      let invalid = 0;
      S1_BANDS.forEach((b, c) => {
        const r = bands[b];
        checkGridSize(r, `Sentinel-1 ${b}`, chip, out.grid);
        const nodata = r.info.nodata;
        const data = r.data;
        const clean = new Float32Array(data.length);
        for (let i = 0; i < data.length; i++) clean[i] = data[i] === nodata ? NaN : data[i];
        invalid += countInvalid(clean, null);
        if (invalid === data.length * (c + 1)) throw new DataFileError(r.file, 'all pixels are nodata or NaN');
        const { mx, my } = mapsFor(r.info, out.grid);
        resampleBilinear(clean, r.info.width, r.info.height, s1, PATCH_SIZE, PATCH_SIZE, mx, my, S1_BANDS.length, c);
      });
      if (invalid > 0) {
        out.problems.push({ severity: 'warning', file: files.VV.path, reason: `${invalid} nodata/NaN pixels in Sentinel-1 (kept as no signal, normalised to 0)`, patchId: entry.id, modality: 's1' });
      }
      out.s1 = s1;
    } catch (err) {
      fail(err, files.VV.path, 's1');
    }
  }

  if (entry.files.dem && want.has('dem')) {
    const file = entry.files.dem;
    try {
      const r = (await readBands({ dem: file }, ['dem'])).dem;
      if (!out.grid) out.grid = gridFrom(r.info);
      checkGridSize(r, 'DEM', chip, out.grid);
      const nodata = r.info.nodata;
      let sum = 0;
      let valid = 0;
      for (let i = 0; i < r.data.length; i++) {
        const v = r.data[i];
        if (v === v && v !== nodata) {
          sum += v;
          valid++;
        }
      }
      if (valid === 0) throw new DataFileError(file.path, 'all pixels are nodata or NaN');
      const fill = sum / valid;
      const clean = new Float32Array(r.data.length);
      for (let i = 0; i < r.data.length; i++) {
        const v = r.data[i];
        clean[i] = v === v && v !== nodata ? v : fill;
      }
      if (valid < r.data.length) {
        out.problems.push({ severity: 'warning', file: file.path, reason: `${r.data.length - valid} nodata/NaN DEM pixels filled with the patch mean ${fill.toFixed(1)} m`, patchId: entry.id, modality: 'dem' });
      }
      const dem = new Float32Array(N);
      const { mx, my } = mapsFor(r.info, out.grid);
      resampleBilinear(clean, r.info.width, r.info.height, dem, PATCH_SIZE, PATCH_SIZE, mx, my);
      out.dem = dem;
    } catch (err) {
      fail(err, file.path, 'dem');
    }
  }

  for (const kind of ['worldcover', 'reference'] as const) {
    const file = entry.files[kind];
    if (!file || !want.has(kind)) continue;
    try {
      const r = (await readBands({ map: file }, ['map'])).map;
      if (!out.grid) out.grid = gridFrom(r.info);
      checkGridSize(r, kind === 'worldcover' ? 'WorldCover map' : 'reference map', chip, out.grid);
      const nodata = r.info.nodata;
      const codes = new Int32Array(N);
      const { mx, my } = mapsFor(r.info, out.grid);
      resampleNearest(r.data, r.info.width, r.info.height, codes, PATCH_SIZE, PATCH_SIZE, mx, my);
      if (kind === 'worldcover') {
        const idx = new Int32Array(N);
        for (let i = 0; i < N; i++) idx[i] = codes[i] === nodata ? IGNORE_INDEX : worldCoverIndex(codes[i]);
        out.worldcover = idx;
      } else {
        for (let i = 0; i < N; i++) if (codes[i] === nodata || codes[i] !== codes[i]) codes[i] = 0;
        out.reference = codes;
      }
    } catch (err) {
      fail(err, file.path, kind);
    }
  }
  return out;
}
