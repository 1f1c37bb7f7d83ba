/**
 * Reads the facts GDAL reports from the first IFD (full resolution) and the IFD chain (overviews), and the block
 * layout needed to decode pixels. No pixel data is touched here.
 */
import type { GeoTIFF, GeoTIFFImage, ImageFileDirectory } from 'geotiff';
import { dtypeFor } from './dtype';
import { UnsupportedRaster } from './errors';
import { epsgFromGeoKeys, isPixelIsPoint, parseGeoKeys } from './geokeys';
import { gdalGeoreferencing } from './georef';
import { nodataForDtype, parseNodata } from './nodata';
import type { Dtype, RasterInfo } from './types';

/** rasterio's names for TIFF Compression codes. */
const COMPRESSION_NAMES: Record<number, string | null> = {
  1: null, 2: 'ccittrle', 3: 'ccittfax3', 4: 'ccittfax4', 5: 'lzw', 6: 'ojpeg', 7: 'jpeg', 8: 'deflate',
  32773: 'packbits', 32946: 'deflate', 34676: 'sgilog', 34677: 'sgilog24', 34712: 'jpeg2000', 34887: 'lerc',
  34925: 'lzma', 50000: 'zstd', 50001: 'webp', 50002: 'jxl',
};

/** Compressions geotiff.js decodes in Node (WebP needs a browser's createImageBitmap). */
const DECODABLE = new Set([1, 5, 7, 8, 32773, 32946, 34887, 50000]);

const PHOTOMETRIC_NAMES: Record<number, string> = {
  0: 'miniswhite', 1: 'minisblack', 2: 'rgb', 3: 'palette', 4: 'mask', 5: 'separated', 6: 'ycbcr', 8: 'cielab',
  9: 'icclab', 10: 'itulab', 32844: 'logl', 32845: 'logluv',
};

export interface BlockLayout {
  width: number;
  height: number;
  samples: number;
  bits: number;
  sampleFormat: number;
  dtype: Dtype;
  planar: 1 | 2;
  tiled: boolean;
  blockWidth: number;
  blockHeight: number;
  blocksAcross: number;
  blocksDown: number;
  offsets: number[];
  byteCounts: number[];
  compression: number;
  photometric: number;
  fillOrder: number;
  littleEndian: boolean;
  /** Why pixels cannot be decoded, when they cannot (metadata is still reported). */
  undecodable: string | null;
}

export interface Described {
  info: RasterInfo;
  image: GeoTIFFImage;
  layout: BlockLayout;
}

/** TIFF tag numbers (TIFF 6.0, GeoTIFF 1.1, GDAL). */
const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  PhotometricInterpretation: 262,
  FillOrder: 266,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  PlanarConfiguration: 284,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  SampleFormat: 339,
  ModelPixelScale: 33550,
  ModelTiepoint: 33922,
  ModelTransformation: 34264,
  GeoKeyDirectory: 34735,
  GeoDoubleParams: 34736,
  GeoAsciiParams: 34737,
  GDAL_NODATA: 42113,
} as const;

type Fd = ImageFileDirectory;

async function value(fd: Fd, tag: number): Promise<unknown> {
  return fd.hasTag(tag) ? fd.loadValue(tag) : undefined;
}

function toNumbers(v: unknown): number[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'bigint') return [Number(v)];
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<number | bigint>, Number);
  return undefined;
}

async function numbers(fd: Fd, tag: number): Promise<number[] | undefined> {
  return toNumbers(await value(fd, tag));
}

async function first(fd: Fd, tag: number, fallback: number): Promise<number> {
  const v = await numbers(fd, tag);
  return v && v.length > 0 ? v[0] : fallback;
}

async function text(fd: Fd, tag: number): Promise<string | undefined> {
  const v = await value(fd, tag);
  return typeof v === 'string' ? v : undefined;
}

function uniform(values: number[], what: string): number {
  if (values.some((v) => v !== values[0])) {
    throw new UnsupportedRaster(`bands with different ${what} (${values.join(', ')}) are not supported (GDAL neither)`);
  }
  return values[0];
}

/** Internal overviews: later IFDs flagged reduced-resolution (NewSubfileType bit 0) that are not masks (bit 2). */
async function countOverviews(tiff: GeoTIFF, samples: number): Promise<number> {
  const n = await tiff.getImageCount();
  let overviews = 0;
  for (let i = 1; i < n; i++) {
    const fd = (await tiff.getImage(i)).getFileDirectory();
    const type = await first(fd, TAG.NewSubfileType, 0);
    if ((type & 1) === 1 && (type & 4) === 0 && (await first(fd, TAG.SamplesPerPixel, 1)) === samples) overviews++;
  }
  return overviews;
}

function undecodableReason(compression: number, photometric: number, bits: number, sampleFormat: number, predictor: number): string | null {
  if (!DECODABLE.has(compression)) {
    const name = COMPRESSION_NAMES[compression] ?? `code ${compression}`;
    const why = compression === 50001 ? ' (it needs a browser image decoder)' : '';
    return `compression ${name} is not supported by geotiff.js${why}`;
  }
  if (photometric === 6 && compression !== 7) {
    return 'YCbCr pixels outside JPEG compression are not supported (GDAL converts them through libtiff\'s RGBA interface)';
  }
  if (bits % 8 !== 0 && sampleFormat !== 1) return `${bits}-bit samples of SampleFormat ${sampleFormat} are not supported`;
  if (predictor === 2 && ![8, 16, 32].includes(bits)) return `horizontal predictor on ${bits}-bit samples is not supported by geotiff.js`;
  if (predictor === 3 && sampleFormat !== 3) return 'floating-point predictor on integer samples is not valid';
  if (predictor > 3) return `predictor ${predictor} is not supported`;
  return null;
}

const FIELD_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 6: 1, 7: 1, 8: 2, 9: 4, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

/**
 * geotiff.js 3.0 reads its lazily loaded ("deferred") arrays — strip/tile offsets and byte counts of files with
 * many blocks — as little-endian whatever the file's byte order. For big-endian files we read them ourselves and
 * hand geotiff the values, so that its getTileOrStrip fetches the right bytes.
 */
async function fixBigEndianDeferredArrays(fd: Fd): Promise<void> {
  for (const [tag, deferred] of [...fd.deferredArrays]) {
    const size = FIELD_SIZE[deferred.fieldType];
    if (!size) continue;
    const [bytes] = await deferred.source.fetch([{ offset: deferred.arrayOffset, length: size * deferred.length }]);
    const view = new DataView(bytes);
    const values: number[] = [];
    for (let i = 0; i < deferred.length && (i + 1) * size <= bytes.byteLength; i++) {
      const p = i * size;
      switch (deferred.fieldType) {
        case 3: values.push(view.getUint16(p, false)); break;
        case 8: values.push(view.getInt16(p, false)); break;
        case 4: case 13: values.push(view.getUint32(p, false)); break;
        case 9: values.push(view.getInt32(p, false)); break;
        case 11: values.push(view.getFloat32(p, false)); break;
        case 12: values.push(view.getFloat64(p, false)); break;
        case 16: case 18: values.push(Number(view.getBigUint64(p, false))); break;
        case 17: values.push(Number(view.getBigInt64(p, false))); break;
        default: values.push(view.getUint8(p));
      }
    }
    fd.actualizedFields.set(tag, values);
    fd.deferredArrays.delete(tag);
  }
}

export async function describe(path: string, tiff: GeoTIFF, fileSize: number, littleEndian: boolean): Promise<Described> {
  const image = await tiff.getImage(0);
  const fd = image.getFileDirectory();
  if (!littleEndian) await fixBigEndianDeferredArrays(fd);
  const width = await first(fd, TAG.ImageWidth, 0);
  const height = await first(fd, TAG.ImageLength, 0);
  if (width <= 0 || height <= 0) throw new UnsupportedRaster(`image has no pixels (${width} x ${height})`);
  const samples = await first(fd, TAG.SamplesPerPixel, 1);
  const bitsList = (await numbers(fd, TAG.BitsPerSample)) ?? [1];
  const bits = uniform(bitsList.slice(0, samples), 'bit depths');
  const formats = (await numbers(fd, TAG.SampleFormat)) ?? [1];
  const sampleFormat = uniform(formats.slice(0, samples), 'sample formats');
  const dtype = dtypeFor(sampleFormat, bits);
  const compression = await first(fd, TAG.Compression, 1);
  const photometric = await first(fd, TAG.PhotometricInterpretation, samples >= 3 ? 2 : 1);
  const planar = (await first(fd, TAG.PlanarConfiguration, 1)) === 2 && samples > 1 ? 2 : 1;
  const predictor = await first(fd, TAG.Predictor, 1);
  const fillOrder = await first(fd, TAG.FillOrder, 1);
  const tiled = fd.hasTag(TAG.TileWidth);
  const blockWidth = tiled ? await first(fd, TAG.TileWidth, 0) : width;
  const blockHeight = tiled ? await first(fd, TAG.TileLength, 0) : Math.min(await first(fd, TAG.RowsPerStrip, height), height);
  if (blockWidth <= 0 || blockHeight <= 0) throw new UnsupportedRaster(`invalid block size ${blockWidth} x ${blockHeight}`);
  const blocksAcross = Math.ceil(width / blockWidth);
  const blocksDown = Math.ceil(height / blockHeight);
  const offsets = (await numbers(fd, tiled ? TAG.TileOffsets : TAG.StripOffsets)) ?? [];
  const byteCounts = (await numbers(fd, tiled ? TAG.TileByteCounts : TAG.StripByteCounts)) ?? [];
  const expected = blocksAcross * blocksDown * (planar === 2 ? samples : 1);
  if (offsets.length < expected || byteCounts.length < expected) {
    throw new UnsupportedRaster(
      `corrupt TIFF: ${expected} ${tiled ? 'tiles' : 'strips'} expected, the IFD lists ${Math.min(offsets.length, byteCounts.length)}`,
    );
  }
  for (let i = 0; i < expected; i++) {
    if (byteCounts[i] > 0 && offsets[i] > 0 && offsets[i] + byteCounts[i] > fileSize) {
      throw new UnsupportedRaster(
        `truncated file: ${tiled ? 'tile' : 'strip'} ${i} occupies bytes ${offsets[i]}..${offsets[i] + byteCounts[i]} but the file has only ${fileSize} bytes`,
      );
    }
  }

  const keys = parseGeoKeys(await numbers(fd, TAG.GeoKeyDirectory), await numbers(fd, TAG.GeoDoubleParams), await text(fd, TAG.GeoAsciiParams));
  const pixelIsPoint = isPixelIsPoint(keys);
  const georef = gdalGeoreferencing(
    {
      pixelScale: await numbers(fd, TAG.ModelPixelScale),
      tiepoints: await numbers(fd, TAG.ModelTiepoint),
      transformation: await numbers(fd, TAG.ModelTransformation),
    },
    pixelIsPoint,
  );
  const epsg = epsgFromGeoKeys(keys);
  const nodataText = await text(fd, TAG.GDAL_NODATA);
  const nodata = nodataText === undefined ? null : nodataForDtype(parseNodata(nodataText), dtype);

  const info: RasterInfo = {
    path,
    width,
    height,
    count: samples,
    dtype,
    // GDAL gives the CRS to the GCPs, not to the raster, when the tiepoints are GCPs.
    crs_epsg: georef.source === 'gcps' ? null : epsg,
    transform: georef.transform,
    nodata,
    overviews: await countOverviews(tiff, samples),
    compression: compression in COMPRESSION_NAMES ? COMPRESSION_NAMES[compression] : `code ${compression}`,
    tiled,
    block: [blockWidth, blockHeight],
    interleave: planar === 2 || samples === 1 ? 'band' : 'pixel',
    // GDAL reads JPEG-compressed YCbCr as RGB.
    photometric: photometric === 6 && compression === 7 ? 'rgb' : (PHOTOMETRIC_NAMES[photometric] ?? `code ${photometric}`),
    georef: georef.source,
    pixel_is_point: pixelIsPoint,
    gcps: georef.gcps,
    gcp_crs_epsg: georef.source === 'gcps' ? epsg : null,
  };
  const layout: BlockLayout = {
    width, height, samples, bits, sampleFormat, dtype, planar, tiled, blockWidth, blockHeight, blocksAcross,
    blocksDown, offsets, byteCounts, compression, photometric, fillOrder, littleEndian,
    undecodable: undecodableReason(compression, photometric, bits, sampleFormat, predictor),
  };
  return { info, image, layout };
}
