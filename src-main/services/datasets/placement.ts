/**
 * Where each patch is: its 10 m grid from the georeferencing of one of its rasters (headers only, no pixels),
 * with metadata (ben-ge lon/lat, BigEarthNet's stated corners) as the fallback, as the data layer's footprints do.
 *
 * Reading one header per patch is the slow part of opening a large folder, so grids are remembered in the
 * workspace (`georef.json`, keyed by file path, size and mtime) and only new or changed files are read again.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeJsonAtomic } from '../../core/fs-atomic';
import { patchFootprint } from '../../core/data/georef';
import type { BandFile, PatchEntry, PatchMeta } from '../../core/data/layouts/types';
import { PATCH_SIZE, PIXEL_SIZE_M } from '../../core/data/modalities';
import type { DataProblem } from '../../core/data/problems';
import { problemFrom } from '../../core/data/problems';
import { fileFingerprint, readRasterInfo, type GeoTransform, type RasterInfo } from '../../core/data/raster-io';
import proj4 from 'proj4';
import { builtinDefinition } from '../../core/geo/crs';

export interface PatchGrid {
  epsg: number;
  /** GDAL geotransform of the patch's 120 x 120 grid. */
  transform: GeoTransform;
}

export type LonLat = [number, number];
export type Corners = [LonLat, LonLat, LonLat, LonLat];

export interface Placement {
  source: 'raster' | 'metadata';
  epsg: number;
  /** Upper-left, upper-right, lower-right, lower-left in the patch's CRS. */
  corners: Corners;
  /** The same corners in WGS84 (null when the CRS cannot be converted). */
  cornersWgs84: Corners | null;
}

/** The raster whose header defines a patch's grid: the one the data layer's decoding takes as its reference. */
export function referenceFile(entry: PatchEntry): BandFile | undefined {
  const f = entry.files;
  return f.s2?.B02 ?? f.s1?.VV ?? f.dem ?? f.worldcover ?? f.reference;
}

function isGeoreferenced(info: RasterInfo): boolean {
  const [a, b, c, d, e, f] = info.transform;
  return info.crs_epsg !== null && !(a === 1 && b === 0 && c === 0 && d === 0 && e === 1 && f === 0);
}

/** The 120 x 120 grid covering a raster (any resolution), or null without georeferencing. */
export function gridOfRaster(info: RasterInfo): PatchGrid | null {
  if (!isGeoreferenced(info)) return null;
  const [a, b, c, d, e, f] = info.transform;
  // Same derivation as the data layer's decoding (decode-patch.ts): the grid spans the raster's extent.
  return { epsg: info.crs_epsg!, transform: [(a * info.width) / PATCH_SIZE, b, c, d, (e * info.height) / PATCH_SIZE, f] };
}

function at(t: GeoTransform, col: number, row: number): LonLat {
  return [t[0] * col + t[1] * row + t[2], t[3] * col + t[4] * row + t[5]];
}

type ToWgs84 = (x: number, y: number) => LonLat | null;
const WGS84_DEF = builtinDefinition(4326)!;
const converters = new Map<number, ToWgs84 | null>();

/**
 * A converter from EPSG:<epsg> to WGS84 built once per CRS (core/geo/crs.ts's definitions). Placing 100,000
 * patches calls this 100,000s of times; going through `toWgs84` would re-register the definition on every call.
 */
function converterOf(epsg: number): ToWgs84 | null {
  let c = converters.get(epsg);
  if (c !== undefined) return c;
  const def = builtinDefinition(epsg);
  if (epsg === 4326) c = (x, y) => [x, y];
  else if (!def) c = null;
  else {
    const proj = proj4(def, WGS84_DEF);
    c = (x, y) => {
      const [lon, lat] = proj.forward([x, y]);
      return Number.isFinite(lon) && Number.isFinite(lat) ? [lon, lat] : null;
    };
  }
  converters.set(epsg, c);
  return c;
}

/** Centre of a grid in WGS84, or null when its CRS is unknown to us. */
export function gridCentre(grid: PatchGrid): LonLat | null {
  const c = converterOf(grid.epsg);
  if (!c) return null;
  const [x, y] = at(grid.transform, PATCH_SIZE / 2, PATCH_SIZE / 2);
  return c(x, y);
}

function cornersOf(points: [number, number][]): Corners {
  return [points[0], points[1], points[2], points[3]].map((p) => [p[0], p[1]] as LonLat) as Corners;
}

function wgs84Corners(epsg: number, corners: Corners): Corners | null {
  const c = converterOf(epsg);
  if (!c) return null;
  const out = corners.map(([x, y]) => c(x, y));
  return out.every((p) => p !== null) ? (out as Corners) : null;
}

/** Half the side of a patch in degrees of latitude and of longitude at `lat`. */
function halfPatchDegrees(lat: number): [number, number] {
  const half = (PATCH_SIZE * PIXEL_SIZE_M) / 2;
  return [half / (111_320 * Math.max(Math.cos((lat * Math.PI) / 180), 1e-6)), half / 111_320];
}

/**
 * The footprint of a patch: from its grid when it has one in a known CRS, else from its metadata (the data layer's
 * rules: BigEarthNet's stated corners, then a 1.2 km square around ben-ge's centre lon/lat).
 */
export function placePatch(grid: PatchGrid | null, meta: PatchMeta): Placement | null {
  if (grid && converterOf(grid.epsg)) {
    const S = PATCH_SIZE;
    const corners: Corners = [at(grid.transform, 0, 0), at(grid.transform, S, 0), at(grid.transform, S, S), at(grid.transform, 0, S)];
    return { source: 'raster', epsg: grid.epsg, corners, cornersWgs84: wgs84Corners(grid.epsg, corners) };
  }
  if (!meta.statedBounds && meta.lon !== undefined && meta.lat !== undefined) {
    // The data layer's centre fallback (georef.ts), computed here without a projection: 100,000 of these are
    // placed at once when a large meta CSV opens.
    const [dLon, dLat] = halfPatchDegrees(meta.lat);
    const { lon, lat } = meta;
    const corners: Corners = [[lon - dLon, lat + dLat], [lon + dLon, lat + dLat], [lon + dLon, lat - dLat], [lon - dLon, lat - dLat]];
    return { source: 'metadata', epsg: 4326, corners, cornersWgs84: corners };
  }
  const fp = patchFootprint(null, meta);
  if (!fp || fp.epsg === null) return null;
  return { source: 'metadata', epsg: fp.epsg, corners: cornersOf(fp.corners), cornersWgs84: fp.cornersWgs84 ? cornersOf(fp.cornersWgs84) : null };
}

/** proj4 definition of an EPSG code we can place patches in. */
export function proj4Definition(epsg: number): string | null {
  return builtinDefinition(epsg) ?? null;
}

// --- the scan ----------------------------------------------------------------------------------------------------

const GEOREF_CACHE_VERSION = 1;

/** path -> [size, mtimeMs, epsg or 0, a, b, c, d, e, f] (epsg 0: the file has no usable georeferencing). */
type GridCacheFile = { version: number; files: Record<string, number[]> };

export interface ScanProgress {
  done: number;
  total: number;
}

export interface ScanResult {
  grids: (PatchGrid | null)[];
  /** 1 where the reference raster's header could be read (georeferenced or not). */
  readable: Uint8Array;
  problems: DataProblem[];
  /** Headers actually read (the rest came from georef.json). */
  read: number;
}

async function loadGridCache(file: string | undefined): Promise<Map<string, number[]>> {
  if (!file) return new Map();
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as GridCacheFile;
    if (parsed.version !== GEOREF_CACHE_VERSION || typeof parsed.files !== 'object') return new Map();
    return new Map(Object.entries(parsed.files));
  } catch {
    return new Map();
  }
}

/**
 * The grid of every patch from its reference raster's header. Unreadable files become problems (the patch falls
 * back to its metadata); `concurrency` headers are read at once (I/O bound).
 */
export async function scanGrids(
  patches: readonly PatchEntry[],
  options: { cacheFile?: string; onProgress?: (p: ScanProgress) => void; concurrency?: number } = {},
): Promise<ScanResult> {
  const cached = await loadGridCache(options.cacheFile);
  const fresh = new Map<string, number[]>();
  const grids: (PatchGrid | null)[] = new Array(patches.length).fill(null);
  const readable = new Uint8Array(patches.length);
  const problems: DataProblem[] = [];
  const total = patches.length;
  let done = 0;
  let read = 0;
  let next = 0;
  let lastReport = 0;
  const report = (force = false): void => {
    const now = Date.now();
    if (force || now - lastReport > 200) {
      lastReport = now;
      options.onProgress?.({ done, total });
    }
  };
  const fromRecord = (r: number[]): PatchGrid | null => (r[2] === 0 ? null : { epsg: r[2], transform: r.slice(3, 9) as GeoTransform });

  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const entry = patches[i];
      const ref = referenceFile(entry);
      if (ref) {
        const fp = fileFingerprint(ref.path);
        const old = cached.get(ref.path);
        if (fp && old && old[0] === fp.size && old[1] === fp.mtimeMs) {
          grids[i] = fromRecord(old);
          readable[i] = 1;
          fresh.set(ref.path, old);
        } else if (fp) {
          try {
            read++;
            const grid = gridOfRaster(await readRasterInfo(ref.path));
            grids[i] = grid;
            readable[i] = 1;
            fresh.set(ref.path, [fp.size, fp.mtimeMs, grid?.epsg ?? 0, ...(grid?.transform ?? [0, 0, 0, 0, 0, 0])]);
          } catch (err) {
            problems.push({ ...problemFrom(err, ref.path, { patchId: entry.id }), reason: `${problemFrom(err, ref.path).reason}; placed by metadata if it has any` });
          }
        } else {
          problems.push({ severity: 'error', file: ref.path, reason: 'file not found', patchId: entry.id });
        }
      }
      done++;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  report(true);
  if (options.cacheFile && read > 0) {
    await mkdir(dirname(options.cacheFile), { recursive: true });
    await writeJsonAtomic(options.cacheFile, { version: GEOREF_CACHE_VERSION, files: Object.fromEntries(fresh) } satisfies GridCacheFile, { fsync: false });
  }
  return { grids, readable, problems, read };
}
