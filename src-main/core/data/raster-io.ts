/**
 * The data layer's only door to GeoTIFF files: `readRasterFile` and `readRasterInfo` wrap the GDAL-exact reader
 * of core/geo and turn its errors into `DataFileError`s (file + reason) that the readers and the cache builder
 * collect per patch. Band indices here are 0-based (as in the index's BandFile); core/geo's are 1-based.
 */
import { statSync } from 'node:fs';
import { openRaster, readRaster, RasterError } from '../geo/raster';
import type { GeoTransform, RasterInfo, TypedArray } from '../geo/types';
import { DataFileError } from './problems';

export type { GeoTransform, RasterInfo };
export type RasterArray = TypedArray;
export type RasterDtype = RasterInfo['dtype'];

export interface RasterData {
  info: RasterInfo;
  /** One row-major array per band (width*height samples). */
  bands: RasterArray[];
}

function asDataError(path: string, err: unknown): DataFileError {
  if (err instanceof DataFileError) return err;
  if (err instanceof RasterError) return new DataFileError(err.path, err.reason);
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return new DataFileError(path, 'file not found');
  return new DataFileError(path, err instanceof Error ? err.message : String(err));
}

/** Size, type, CRS, transform and nodata of a GeoTIFF, without decoding pixels. */
export async function readRasterInfo(path: string): Promise<RasterInfo> {
  try {
    return await openRaster(path);
  } catch (err) {
    throw asDataError(path, err);
  }
}

/** Decodes a GeoTIFF (all bands, or the 0-based `bands` given). */
export async function readRasterFile(path: string, options: { bands?: number[] } = {}): Promise<RasterData> {
  try {
    const r = await readRaster(path, { bands: options.bands?.map((b) => b + 1), pool: null });
    return { info: r.info, bands: r.bands };
  } catch (err) {
    throw asDataError(path, err);
  }
}

/** Size and modification time of a file, the cache's signature of "this source has not changed". */
export function fileFingerprint(path: string): { size: number; mtimeMs: number } | null {
  try {
    const st = statSync(path);
    return { size: st.size, mtimeMs: Math.round(st.mtimeMs) };
  } catch {
    return null;
  }
}
