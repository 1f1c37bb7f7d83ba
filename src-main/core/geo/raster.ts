/**
 * GeoTIFF facts and pixels exactly as GDAL reads them, with geotiff.js underneath.
 *
 *   openRaster(path)            -> RasterInfo (headers only: size, dtype, CRS, geotransform, nodata, overviews...)
 *   readRaster(path, {bands, window}) -> { info, bands: one typed array per band }, full resolution (first IFD)
 *   bandStatistics(band, nodata) -> { valid, min, max, mean } over pixels that are neither nodata nor NaN
 *
 * Agreement with GDAL is checked on every file of ../shared/data/*\/REFERENCE.json (test/core/geo). Where
 * geotiff.js differs from GDAL we do the GDAL thing ourselves: JPEG is decoded by a libjpeg-exact decoder
 * (jpeg/), geotransform / CRS / nodata come from our own tag parsing (georef.ts, geokeys.ts, nodata.ts), and
 * blocks are placed by blocks.ts. Every failure is a RasterError naming the file and the reason.
 */
import { availableParallelism } from 'node:os';
import { Pool } from 'geotiff';
import { readWindow } from './blocks';
import { DecoderRouter, decoderParameters } from './decoders';
import { RasterError, UnsupportedRaster } from './errors';
import { openTiff } from './source';
import { describe } from './structure';
import { BYTES } from './dtype';
import type { BandStatistics, PixelWindow, RasterData, RasterInfo, TypedArray } from './types';

export type { BandStatistics, Dtype, GeoTransform, PixelWindow, RasterData, RasterInfo, TypedArray } from './types';
export { RasterError } from './errors';

/** Decoded bytes above which a compressed read is spread over a worker pool (below, worker start-up costs more). */
export const POOL_THRESHOLD_BYTES = 256 * 1024 * 1024;

export interface ReadRasterOptions {
  /** Band numbers, 1-based as in GDAL and rasterio; default all. */
  bands?: number[];
  /** Pixel window [x0, y0, x1, y1) of the full-resolution image; default the whole image. */
  window?: PixelWindow;
  /**
   * A geotiff.js worker Pool for the lossless decoders. 'auto' (default) makes a temporary pool for large
   * compressed reads only; null decodes in this thread. A Pool passed in is left running for the caller.
   */
  pool?: Pool | 'auto' | null;
}

function wrap(path: string, err: unknown, size: number): RasterError {
  if (err instanceof RasterError) return err;
  if (err instanceof UnsupportedRaster) return new RasterError(path, err.message);
  const message = err instanceof Error ? err.message : String(err);
  // geotiff.js meets a cut-off IFD or tag value as a DataView RangeError.
  if (err instanceof RangeError && /outside the bounds|out of bounds|beyond/i.test(message)) {
    return new RasterError(path, `truncated or corrupt TIFF: an IFD or tag value lies beyond the end of the file (${size} bytes)`);
  }
  return new RasterError(path, `corrupt TIFF: ${message}`);
}

export async function openRaster(path: string): Promise<RasterInfo> {
  const opened = await openTiff(path);
  try {
    return (await describe(path, opened.tiff, opened.size, opened.littleEndian)).info;
  } catch (err) {
    throw wrap(path, err, opened.size);
  } finally {
    await opened.close();
  }
}

function checkedBands(path: string, info: RasterInfo, bands: number[] | undefined): number[] {
  const list = bands ?? Array.from({ length: info.count }, (_, i) => i + 1);
  if (list.length === 0) throw new RasterError(path, 'no band requested');
  for (const b of list) {
    if (!Number.isInteger(b) || b < 1 || b > info.count) {
      throw new RasterError(path, `band ${b} does not exist: bands are numbered 1..${info.count} (1-based, as in GDAL)`);
    }
  }
  return list;
}

function checkedWindow(path: string, info: RasterInfo, window: PixelWindow | undefined): PixelWindow {
  if (!window) return [0, 0, info.width, info.height];
  const [x0, y0, x1, y1] = window;
  const ok = [x0, y0, x1, y1].every(Number.isInteger) && x0 >= 0 && y0 >= 0 && x1 <= info.width && y1 <= info.height && x0 < x1 && y0 < y1;
  if (!ok) {
    throw new RasterError(path, `window [${window.join(', ')}] is not inside the ${info.width} x ${info.height} image`);
  }
  return [x0, y0, x1, y1];
}

export async function readRaster(path: string, options: ReadRasterOptions = {}): Promise<RasterData> {
  const opened = await openTiff(path);
  let ownPool: Pool | null = null;
  try {
    const { info, image, layout } = await describe(path, opened.tiff, opened.size, opened.littleEndian);
    if (layout.undecodable) throw new RasterError(path, layout.undecodable);
    const bands = checkedBands(path, info, options.bands);
    const window = checkedWindow(path, info, options.window);
    let workers: Pool | null = null;
    if (options.pool instanceof Pool) workers = options.pool;
    else if (options.pool === undefined || options.pool === 'auto') {
      const decodedBytes = (window[2] - window[0]) * (window[3] - window[1]) * bands.length * BYTES[info.dtype];
      // Uncompressed and JPEG (ours, in this thread) gain nothing from geotiff's workers.
      if (layout.compression !== 1 && layout.compression !== 7 && decodedBytes >= POOL_THRESHOLD_BYTES) {
        ownPool = new Pool(Math.max(1, Math.min(4, availableParallelism())));
        workers = ownPool;
      }
    }
    const router = new DecoderRouter({
      photometric: layout.photometric,
      fillOrder: layout.fillOrder,
      littleEndian: layout.littleEndian,
      bits: layout.bits,
      workers,
    });
    const decoder = router.bindParameters(layout.compression, await decoderParameters(image, layout.compression));
    const data = await readWindow(image, layout, window, bands.map((b) => b - 1), decoder, info.nodata);
    return { info, bands: data, window };
  } catch (err) {
    throw wrap(path, err, opened.size);
  } finally {
    if (ownPool) await ownPool.destroy();
    await opened.close();
  }
}

/** Statistics over valid pixels: nodata and NaN excluded; mean accumulated in float64 (compensated sum). */
export function bandStatistics(band: TypedArray, nodata: number | null): BandStatistics {
  // A float32 band holds nodata rounded to float32 (GDAL does the same rounding when it reports it).
  const nd = nodata === null || Number.isNaN(nodata) ? null : band instanceof Float32Array ? Math.fround(nodata) : nodata;
  let valid = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let comp = 0;
  for (let i = 0; i < band.length; i++) {
    const v = band[i];
    if (v !== v || v === nd) continue; // v !== v: NaN
    valid++;
    if (v < min) min = v;
    if (v > max) max = v;
    // Neumaier summation: exact enough that the mean matches numpy's pairwise float64 mean to ~1e-15.
    const t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  if (valid === 0) return { valid: 0, min: null, max: null, mean: null };
  return { valid, min, max, mean: (sum + comp) / valid };
}
