/**
 * The data layer's only door to GeoTIFF files. Everything in core/data reads rasters through `readRasterFile`
 * and `readRasterInfo`, so the implementation behind them can change in one place.
 *
 * Today it reads with geotiff.js directly (small files are read whole with one fs call, which is much faster than
 * geotiff's chunked file source for 30 KB BigEarthNet bands). The GDAL-exact reader in core/geo is meant to
 * replace the body of these two functions once it lands; the types below follow its `RasterInfo` shape.
 *
 * Every failure becomes a `DataFileError` naming the file and the reason (missing, truncated, not a TIFF, ...).
 */
import { readFileSync, statSync } from 'node:fs';
import { fromArrayBuffer, type GeoTIFFImage } from 'geotiff';
import { DataFileError } from './problems';

export type RasterDtype = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
export type RasterArray =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
/** GDAL's affine geotransform [a, b, c, d, e, f]: x = a*col + b*row + c, y = d*col + e*row + f (pixel corners). */
export type GeoTransform = [number, number, number, number, number, number];

export interface RasterInfo {
  width: number;
  height: number;
  count: number;
  dtype: RasterDtype;
  crs_epsg: number | null;
  transform: GeoTransform;
  nodata: number | null;
}

export interface RasterData {
  info: RasterInfo;
  /** One row-major array per band (width*height samples). */
  bands: RasterArray[];
}

const DTYPE_BY_FORMAT: Record<string, RasterDtype> = {
  '1:8': 'uint8', '2:8': 'int8', '1:16': 'uint16', '2:16': 'int16', '1:32': 'uint32', '2:32': 'int32',
  '3:32': 'float32', '3:64': 'float64',
};

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function readBytes(path: string): ArrayBuffer {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataFileError(path, 'file not found');
    if (code === 'EISDIR') throw new DataFileError(path, 'is a folder, not a GeoTIFF');
    throw new DataFileError(path, `cannot read file (${code ?? describe(err)})`);
  }
  if (buf.byteLength < 8) throw new DataFileError(path, `not a TIFF (only ${buf.byteLength} bytes)`);
  // A private copy: Node may hand out a slice of a shared pool buffer.
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

function numericTag(image: GeoTIFFImage, name: string): number[] | undefined {
  const v: unknown = image.getFileDirectory().getValue(name as never);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<number>, Number);
  return undefined;
}

function infoOf(image: GeoTIFFImage, path: string): RasterInfo {
  const width = image.getWidth();
  const height = image.getHeight();
  const count = image.getSamplesPerPixel();
  const key = `${image.getSampleFormat(0) ?? 1}:${image.getBitsPerSample(0)}`;
  const dtype = DTYPE_BY_FORMAT[key];
  if (!dtype) throw new DataFileError(path, `unsupported sample type (SampleFormat:Bits ${key})`);
  const keys = image.getGeoKeys() ?? {};
  const epsg = (keys.ProjectedCSTypeGeoKey ?? keys.GeographicTypeGeoKey) as number | undefined;
  let transform: GeoTransform;
  const matrix = numericTag(image, 'ModelTransformation');
  if (matrix && matrix.length >= 16) {
    transform = [matrix[0], matrix[1], matrix[3], matrix[4], matrix[5], matrix[7]];
  } else {
    const scale = numericTag(image, 'ModelPixelScale');
    const tie = numericTag(image, 'ModelTiepoint');
    if (scale && tie && tie.length >= 6) {
      // Tie point (i, j) -> (x, y): the corner of pixel (0, 0) is at x - i*sx, y + j*sy.
      transform = [scale[0], 0, tie[3] - tie[0] * scale[0], 0, -scale[1], tie[4] + tie[1] * scale[1]];
    } else {
      transform = [1, 0, 0, 0, 1, 0]; // GDAL's default for a non-georeferenced image
    }
  }
  // PixelIsPoint rasters: GDAL moves the origin by half a pixel so the transform still refers to corners.
  if (keys.GTRasterTypeGeoKey === 2) {
    transform = [transform[0], transform[1], transform[2] - 0.5 * transform[0] - 0.5 * transform[1], transform[3], transform[4],
      transform[5] - 0.5 * transform[3] - 0.5 * transform[4]];
  }
  return { width, height, count, dtype, crs_epsg: epsg && epsg > 0 && epsg < 32767 ? epsg : null, transform, nodata: image.getGDALNoData() };
}

/** Checks that every strip or tile lies inside the file, so a truncated file fails with a clear reason. */
function checkExtent(image: GeoTIFFImage, path: string, fileSize: number): void {
  const offsets = numericTag(image, 'StripOffsets') ?? numericTag(image, 'TileOffsets');
  const counts = numericTag(image, 'StripByteCounts') ?? numericTag(image, 'TileByteCounts');
  if (!offsets || !counts) return;
  let end = 0;
  for (let i = 0; i < offsets.length; i++) end = Math.max(end, offsets[i] + (counts[i] ?? 0));
  if (end > fileSize) throw new DataFileError(path, `truncated TIFF: ${fileSize} bytes, but its image data runs to byte ${end}`);
}

async function openImage(path: string): Promise<{ image: GeoTIFFImage; size: number }> {
  const bytes = readBytes(path);
  let image: GeoTIFFImage;
  try {
    const tiff = await fromArrayBuffer(bytes);
    image = await tiff.getImage(0);
    // Deferred tags (large offset arrays) are loaded on demand; make them available to the sync getters.
    const ifd = image.getFileDirectory();
    for (const tag of ['StripOffsets', 'StripByteCounts', 'TileOffsets', 'TileByteCounts']) {
      if (ifd.hasTag(tag as never)) await ifd.loadValue(tag as never);
    }
  } catch (err) {
    if (err instanceof DataFileError) throw err;
    throw new DataFileError(path, `not a readable GeoTIFF (${describe(err)})`);
  }
  return { image, size: bytes.byteLength };
}

/** Size, type, CRS, transform and nodata of a GeoTIFF, without decoding pixels. */
export async function readRasterInfo(path: string): Promise<RasterInfo> {
  const { image } = await openImage(path);
  return infoOf(image, path);
}

/** Decodes a GeoTIFF (all bands, or the 0-based `bands` given). */
export async function readRasterFile(path: string, options: { bands?: number[] } = {}): Promise<RasterData> {
  const { image, size } = await openImage(path);
  const info = infoOf(image, path);
  checkExtent(image, path, size);
  const samples = options.bands ?? Array.from({ length: info.count }, (_, i) => i);
  for (const b of samples) {
    if (!(b >= 0 && b < info.count)) throw new DataFileError(path, `band ${b + 1} requested but the file has ${info.count}`);
  }
  try {
    const rasters = await image.readRasters({ samples, interleave: false });
    return { info, bands: Array.from(rasters as unknown as RasterArray[]) };
  } catch (err) {
    throw new DataFileError(path, `corrupt image data (${describe(err)})`);
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
