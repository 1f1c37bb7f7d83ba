/**
 * A small GeoTIFF writer that GDAL reads exactly: stripped baseline TIFF (classic, or BigTIFF when the file would
 * pass 4 GiB), little-endian, 1..n bands of one sample type, pixel- or band-interleaved, uncompressed or deflate
 * (node:zlib) with the TIFF horizontal (2) or floating-point (3) predictor, GeoKeys for an EPSG CRS, the GDAL_NODATA
 * tag and band descriptions in GDAL_METADATA.
 *
 * Why not geotiff.js's `writeArrayBuffer`: (checked in geotiff 3.0.5) it writes one uncompressed pixel-interleaved
 * strip, silently writes zeros for Int8/Int16/Int32 arrays, fits all tags into a fixed 1000-byte header, has no
 * GDAL_NODATA or band-interleaved support and packs each pixel through a fresh DataView (slow). A TIFF writer is a
 * couple of hundred lines, so we own one that is fast and correct; geotiff.js and GDAL are the test oracles.
 *
 * Files are written atomically (temporary file in the same folder, then rename), so a crash never leaves a
 * truncated GeoTIFF under the final name.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';

export type RasterDtype = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
export type RasterArray =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** GDAL's affine geotransform as [a, b, c, d, e, f]: x = a*col + b*row + c, y = d*col + e*row + f (pixel corner). */
export type GeoTransform = [number, number, number, number, number, number];

export interface GeoTiffRaster {
  width: number;
  height: number;
  /** One array per band, row-major, width*height samples each, all of the same typed-array type. */
  bands: RasterArray[];
  /** Geotransform of the upper-left pixel corner (PixelIsArea). */
  transform: GeoTransform;
  /** EPSG code of the CRS (e.g. 32633 for UTM 33N, 4326 for WGS84 lon/lat, 3857). */
  epsg: number;
  /** Whether `epsg` is a geographic (lon/lat) CRS; guessed from a list of common ones when omitted. */
  geographic?: boolean;
  /** Nodata value written to the GDAL_NODATA tag (NaN allowed for float types); omitted when null/undefined. */
  nodata?: number | null;
  /** Band descriptions (GDAL reads them as band descriptions, e.g. "B02"). */
  bandNames?: string[];
  /** Dataset-level metadata items (GDAL metadata domain ""). */
  metadata?: Record<string, string>;
}

export interface GeoTiffWriteOptions {
  /** Default 'none' (what BigEarthNet and most readers in the wild expect); 'deflate' uses zlib. */
  compression?: 'none' | 'deflate';
  /** zlib level 1..9 (default 6). */
  level?: number;
  /**
   * TIFF predictor for deflate: 1 none, 2 horizontal (integers), 3 floating point (floats), 'auto' the one that
   * fits the sample type (2 for integers up to 32 bits, 3 for floats). Default 1.
   */
  predictor?: 1 | 2 | 3 | 'auto';
  /** 'pixel' (PlanarConfiguration 1, GDAL's default) or 'band' (PlanarConfiguration 2). Default 'pixel'. */
  interleave?: 'pixel' | 'band';
  /** Rows per strip; default: about 64 KiB of uncompressed data per strip. */
  rowsPerStrip?: number;
  /** BigTIFF: true, false, or 'auto' (default: only when offsets would not fit in 32 bits). */
  bigtiff?: boolean | 'auto';
}

interface DtypeInfo {
  bytes: number;
  /** TIFF SampleFormat: 1 unsigned int, 2 signed int, 3 IEEE float. */
  sampleFormat: 1 | 2 | 3;
}

const DTYPES: Record<RasterDtype, DtypeInfo> = {
  uint8: { bytes: 1, sampleFormat: 1 },
  int8: { bytes: 1, sampleFormat: 2 },
  uint16: { bytes: 2, sampleFormat: 1 },
  int16: { bytes: 2, sampleFormat: 2 },
  uint32: { bytes: 4, sampleFormat: 1 },
  int32: { bytes: 4, sampleFormat: 2 },
  float32: { bytes: 4, sampleFormat: 3 },
  float64: { bytes: 8, sampleFormat: 3 },
};

/** numpy-style dtype name of a typed array (the vocabulary of `terrafuse raster --json`). */
export function dtypeOf(array: RasterArray): RasterDtype {
  if (array instanceof Uint8Array) return 'uint8';
  if (array instanceof Int8Array) return 'int8';
  if (array instanceof Uint16Array) return 'uint16';
  if (array instanceof Int16Array) return 'int16';
  if (array instanceof Uint32Array) return 'uint32';
  if (array instanceof Int32Array) return 'int32';
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  throw new TypeError('unsupported raster array type');
}

/** Geographic (lon/lat) CRSs one meets in EO work; everything else is treated as projected unless told. */
const GEOGRAPHIC_EPSG = new Set([4326, 4258, 4269, 4267, 4230, 4283, 4617, 4674, 4755, 4148, 4322, 4490]);

// TIFF field types.
const ASCII = 2, SHORT = 3, LONG = 4, DOUBLE = 12, LONG8 = 16;
const TYPE_SIZE: Record<number, number> = { [ASCII]: 1, [SHORT]: 2, [LONG]: 4, [DOUBLE]: 8, [LONG8]: 8 };

interface Entry {
  tag: number;
  type: number;
  values: number[] | string;
}

/** All strips of the image as byte chunks, in file order (band-major when band-interleaved). */
function encodeStrips(
  raster: GeoTiffRaster, dtype: RasterDtype, opts: { compression: 'none' | 'deflate'; level: number; predictor: 1 | 2 | 3; interleave: 'pixel' | 'band' }, rowsPerStrip: number,
): Uint8Array[] {
  const { width, height, bands } = raster;
  const { bytes } = DTYPES[dtype];
  const spp = bands.length;
  const pixel = opts.interleave === 'pixel' && spp > 1;
  const planes = pixel ? 1 : spp;
  const samplesPerRow = pixel ? width * spp : width;
  const rowBytes = samplesPerRow * bytes;
  const strips: Uint8Array[] = [];
  for (let plane = 0; plane < planes; plane++) {
    for (let row0 = 0; row0 < height; row0 += rowsPerStrip) {
      const rows = Math.min(rowsPerStrip, height - row0);
      let raw: Uint8Array;
      let isCallersMemory = false;
      if (pixel) {
        // Interleave the bands of these rows into a fresh array of the same type (little-endian host).
        const Ctor = bands[0].constructor as new (n: number) => RasterArray;
        const out = new Ctor(rows * samplesPerRow);
        const start = row0 * width;
        const n = rows * width;
        for (let b = 0; b < spp; b++) {
          const src = bands[b];
          for (let i = 0, j = b; i < n; i++, j += spp) out[j] = src[start + i];
        }
        raw = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      } else {
        const src = bands[plane];
        raw = new Uint8Array(src.buffer, src.byteOffset + row0 * width * bytes, rows * width * bytes);
        isCallersMemory = true;
      }
      if (opts.compression === 'none') {
        strips.push(raw);
        continue;
      }
      // Predictors modify the data, so work on a copy when `raw` is a view of the caller's array.
      let data = raw;
      if (opts.predictor !== 1) {
        data = isCallersMemory ? raw.slice() : raw;
        const stride = pixel ? spp : 1;
        for (let r = 0; r < rows; r++) {
          if (opts.predictor === 2) horizontalDifference(data, r * rowBytes, samplesPerRow, stride, bytes);
          else floatingPointDifference(data, r * rowBytes, samplesPerRow, stride, bytes);
        }
      }
      strips.push(deflateSync(data, { level: opts.level }));
    }
  }
  return strips;
}

/** TIFF predictor 2 on one row: each sample minus the same band's previous sample, modulo 2^bits. */
function horizontalDifference(buf: Uint8Array, offset: number, samples: number, stride: number, bytes: number): void {
  const view =
    bytes === 1 ? new Uint8Array(buf.buffer, buf.byteOffset + offset, samples)
    : bytes === 2 ? new Uint16Array(buf.buffer, buf.byteOffset + offset, samples)
    : new Uint32Array(buf.buffer, buf.byteOffset + offset, samples);
  // Backwards so that each difference uses the original (not yet differenced) left neighbour.
  for (let i = samples - 1; i >= stride; i--) view[i] = view[i] - view[i - stride];
}

/**
 * TIFF predictor 3 (Adobe floating-point predictor) on one row: the bytes of every sample are regrouped by
 * significance (most significant bytes of all samples first), then differenced bytewise with the sample stride.
 */
function floatingPointDifference(buf: Uint8Array, offset: number, samples: number, stride: number, bytes: number): void {
  const n = samples * bytes;
  const row = buf.subarray(offset, offset + n);
  const tmp = row.slice();
  for (let s = 0; s < samples; s++) {
    // Host and file are little-endian: byte b of a sample has significance b, so it goes to plane bytes-1-b.
    for (let b = 0; b < bytes; b++) row[(bytes - 1 - b) * samples + s] = tmp[s * bytes + b];
  }
  for (let i = n - 1; i >= stride; i--) row[i] = (row[i] - row[i - stride]) & 0xff;
}

/** GDAL_NODATA text as GDAL writes it. */
function nodataText(nodata: number, dtype: RasterDtype): string {
  if (Number.isNaN(nodata)) {
    if (DTYPES[dtype].sampleFormat !== 3) throw new RangeError(`nodata NaN is only possible for float rasters, not ${dtype}`);
    return 'nan';
  }
  if (!Number.isFinite(nodata)) return nodata > 0 ? 'inf' : '-inf';
  if (DTYPES[dtype].sampleFormat !== 3 && !Number.isInteger(nodata)) {
    throw new RangeError(`nodata ${nodata} is not an integer but the raster is ${dtype}`);
  }
  // JavaScript's shortest round-trip decimal; GDAL parses it back to the same double.
  return String(nodata);
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function gdalMetadataXml(raster: GeoTiffRaster): string | null {
  const items: string[] = [];
  for (const [k, v] of Object.entries(raster.metadata ?? {})) items.push(`  <Item name="${xmlEscape(k)}">${xmlEscape(v)}</Item>`);
  (raster.bandNames ?? []).forEach((name, i) => {
    items.push(`  <Item name="DESCRIPTION" sample="${i}" role="description">${xmlEscape(name)}</Item>`);
  });
  return items.length ? `<GDALMetadata>\n${items.join('\n')}\n</GDALMetadata>` : null;
}

function validate(raster: GeoTiffRaster): RasterDtype {
  const { width, height, bands } = raster;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`invalid raster size ${width}x${height}`);
  }
  if (bands.length < 1) throw new RangeError('a raster needs at least one band');
  if (bands.length > 65535) throw new RangeError('too many bands for TIFF');
  const dtype = dtypeOf(bands[0]);
  bands.forEach((b, i) => {
    if (dtypeOf(b) !== dtype) throw new TypeError(`band ${i + 1} is ${dtypeOf(b)} but band 1 is ${dtype}`);
    if (b.length !== width * height) throw new RangeError(`band ${i + 1} has ${b.length} samples, expected ${width}x${height}`);
  });
  if (raster.transform.length !== 6 || !raster.transform.every(Number.isFinite)) throw new RangeError('transform must be 6 finite numbers');
  const [a, b, , d, e] = raster.transform;
  if (a * e - b * d === 0) throw new RangeError('degenerate transform (zero determinant)');
  if (!Number.isInteger(raster.epsg) || raster.epsg <= 0 || raster.epsg > 65535) throw new RangeError(`invalid EPSG code ${raster.epsg}`);
  if (raster.bandNames && raster.bandNames.length !== bands.length) throw new RangeError('bandNames must have one name per band');
  return dtype;
}

/**
 * Encode a raster as GeoTIFF. Returns the file as a list of chunks (header + IFD first, then strip data) so that
 * large rasters are never concatenated in memory; `encodeGeoTiffBytes` joins them.
 */
export function encodeGeoTiff(raster: GeoTiffRaster, options: GeoTiffWriteOptions = {}): Uint8Array[] {
  const dtype = validate(raster);
  const info = DTYPES[dtype];
  const { width, height, bands } = raster;
  const spp = bands.length;
  const compression = options.compression ?? 'none';
  const requested = options.predictor ?? 1;
  const predictor = compression === 'none' ? 1 : requested === 'auto' ? (info.sampleFormat === 3 ? 3 : info.bytes <= 4 ? 2 : 1) : requested;
  if (predictor === 2 && (info.sampleFormat === 3 || info.bytes > 4)) throw new RangeError(`predictor 2 needs an integer type of <= 32 bits, not ${dtype}`);
  if (predictor === 3 && info.sampleFormat !== 3) throw new RangeError(`predictor 3 needs a float type, not ${dtype}`);
  const interleave = options.interleave ?? 'pixel';
  const level = options.level ?? 6;
  const pixel = interleave === 'pixel' && spp > 1;
  const rowBytes = (pixel ? width * spp : width) * info.bytes;
  const rowsPerStrip = Math.max(1, Math.min(height, options.rowsPerStrip ?? Math.floor(65536 / rowBytes)));
  const strips = encodeStrips(raster, dtype, { compression, level, predictor, interleave }, rowsPerStrip);

  const [a, b, c, d, e, f] = raster.transform;
  const geographic = raster.geographic ?? GEOGRAPHIC_EPSG.has(raster.epsg);
  // GeoKeyDirectory: version 1.1.0, then (key, location 0 = value inline, count 1, value), sorted by key id.
  const geoKeys: number[] = [
    1024, 0, 1, geographic ? 2 : 1, // GTModelTypeGeoKey: 1 projected, 2 geographic
    1025, 0, 1, 1, // GTRasterTypeGeoKey: 1 PixelIsArea (transform refers to pixel corners)
    geographic ? 2048 : 3072, 0, 1, raster.epsg, // GeographicTypeGeoKey / ProjectedCSTypeGeoKey
  ];
  const entries: Entry[] = [
    { tag: 256, type: LONG, values: [width] },
    { tag: 257, type: LONG, values: [height] },
    { tag: 258, type: SHORT, values: new Array(spp).fill(info.bytes * 8) }, // BitsPerSample
    { tag: 259, type: SHORT, values: [compression === 'none' ? 1 : 8] }, // Compression: 8 = Adobe deflate
    { tag: 262, type: SHORT, values: [1] }, // PhotometricInterpretation: MinIsBlack
    { tag: 273, type: LONG, values: [] }, // StripOffsets (filled below)
    { tag: 277, type: SHORT, values: [spp] }, // SamplesPerPixel
    { tag: 278, type: LONG, values: [rowsPerStrip] },
    { tag: 279, type: LONG, values: strips.map((s) => s.byteLength) }, // StripByteCounts
    { tag: 284, type: SHORT, values: [pixel || spp === 1 ? 1 : 2] }, // PlanarConfiguration
    { tag: 305, type: ASCII, values: 'terrafuse' }, // Software (no version or date: same input, same bytes)
  ];
  if (predictor !== 1) entries.push({ tag: 317, type: SHORT, values: [predictor] });
  // With MinIsBlack, samples beyond the first are "extra samples" (0 = unspecified), as GDAL writes them.
  if (spp > 1) entries.push({ tag: 338, type: SHORT, values: new Array(spp - 1).fill(0) });
  entries.push({ tag: 339, type: SHORT, values: new Array(spp).fill(info.sampleFormat) });
  if (b === 0 && d === 0 && e < 0) {
    entries.push({ tag: 33550, type: DOUBLE, values: [a, -e, 0] }); // ModelPixelScale
    entries.push({ tag: 33922, type: DOUBLE, values: [0, 0, 0, c, f, 0] }); // ModelTiepoint: pixel (0,0) -> (c, f)
  } else {
    // Rotated/sheared or south-up: the full 4x4 ModelTransformation matrix.
    entries.push({ tag: 34264, type: DOUBLE, values: [a, b, 0, c, d, e, 0, f, 0, 0, 0, 0, 0, 0, 0, 1] });
  }
  entries.push({ tag: 34735, type: SHORT, values: [1, 1, 0, geoKeys.length / 4, ...geoKeys] });
  const xml = gdalMetadataXml(raster);
  if (xml) entries.push({ tag: 42112, type: ASCII, values: xml });
  if (raster.nodata !== undefined && raster.nodata !== null) {
    entries.push({ tag: 42113, type: ASCII, values: nodataText(raster.nodata, dtype) });
  }
  entries.sort((x, y) => x.tag - y.tag);

  const dataBytes = strips.reduce((s, x) => s + x.byteLength, 0);
  const big = options.bigtiff === true || (options.bigtiff !== false && dataBytes + 1_000_000 + strips.length * 16 > 0xffffffff);
  if (big) {
    for (const en of entries) if (en.tag === 273 || en.tag === 279) en.type = LONG8;
  }
  const stripOffsets = entries.find((en) => en.tag === 273)!;
  stripOffsets.values = new Array(strips.length).fill(0);

  // Layout: header, IFD, out-of-line values, strip data.
  const headerSize = big ? 16 : 8;
  const entrySize = big ? 20 : 12;
  const inlineMax = big ? 8 : 4;
  const countSize = big ? 8 : 2;
  const ifdSize = countSize + entries.length * entrySize + (big ? 8 : 4);
  const valueBytes = (en: Entry): number => (typeof en.values === 'string' ? en.values.length + 1 : en.values.length) * TYPE_SIZE[en.type];
  let extra = 0;
  for (const en of entries) {
    const n = valueBytes(en);
    if (n > inlineMax) extra += n + (n & 1); // word-align each out-of-line value
  }
  let dataStart = headerSize + ifdSize + extra;
  dataStart += (8 - (dataStart % 8)) % 8; // align strip data for readers that map typed arrays onto it
  let pos = dataStart;
  stripOffsets.values = strips.map((s) => {
    const at = pos;
    pos += s.byteLength;
    return at;
  });
  if (!big && pos > 0xffffffff) throw new RangeError('raster too large for classic TIFF; use bigtiff');

  const head = new Uint8Array(dataStart);
  const dv = new DataView(head.buffer);
  head[0] = 0x49; // "II": little-endian
  head[1] = 0x49;
  if (big) {
    dv.setUint16(2, 43, true);
    dv.setUint16(4, 8, true); // offset size
    dv.setUint16(6, 0, true);
    dv.setBigUint64(8, BigInt(headerSize), true);
  } else {
    dv.setUint16(2, 42, true);
    dv.setUint32(4, headerSize, true);
  }
  let p = headerSize;
  if (big) dv.setBigUint64(p, BigInt(entries.length), true);
  else dv.setUint16(p, entries.length, true);
  p += countSize;
  let q = headerSize + ifdSize; // next free byte for out-of-line values
  const writeValues = (en: Entry, at: number): void => {
    if (typeof en.values === 'string') {
      for (let i = 0; i < en.values.length; i++) {
        const code = en.values.charCodeAt(i);
        head[at + i] = code < 128 ? code : 0x3f; // TIFF ASCII is 7-bit
      }
      head[at + en.values.length] = 0;
      return;
    }
    const size = TYPE_SIZE[en.type];
    en.values.forEach((v, i) => {
      const o = at + i * size;
      if (en.type === SHORT) dv.setUint16(o, v, true);
      else if (en.type === LONG) dv.setUint32(o, v, true);
      else if (en.type === LONG8) dv.setBigUint64(o, BigInt(v), true);
      else dv.setFloat64(o, v, true);
    });
  };
  for (const en of entries) {
    const count = typeof en.values === 'string' ? en.values.length + 1 : en.values.length;
    dv.setUint16(p, en.tag, true);
    dv.setUint16(p + 2, en.type, true);
    if (big) dv.setBigUint64(p + 4, BigInt(count), true);
    else dv.setUint32(p + 4, count, true);
    const valueAt = p + (big ? 12 : 8);
    const n = valueBytes(en);
    if (n <= inlineMax) {
      writeValues(en, valueAt);
    } else {
      if (big) dv.setBigUint64(valueAt, BigInt(q), true);
      else dv.setUint32(valueAt, q, true);
      writeValues(en, q);
      q += n + (n & 1);
    }
    p += entrySize;
  }
  // Next-IFD offset stays 0: a single image.
  return [head, ...strips];
}

/** The whole GeoTIFF file in one buffer. */
export function encodeGeoTiffBytes(raster: GeoTiffRaster, options: GeoTiffWriteOptions = {}): Uint8Array {
  const chunks = encodeGeoTiff(raster, options);
  const total = chunks.reduce((s, c) => s + c.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Write a GeoTIFF atomically (temp file + rename). */
export async function writeGeoTiff(path: string, raster: GeoTiffRaster, options: GeoTiffWriteOptions = {}): Promise<void> {
  const chunks = encodeGeoTiff(raster, options);
  const tmp = tempPathFor(path);
  const fh = await open(tmp, 'w');
  try {
    for (const c of chunks) await fh.write(c);
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Synchronous variant for bulk writers (the synthetic generator writes thousands of small files into a folder
 * that is itself renamed into place at the end). `atomic: false` skips the per-file temp + rename.
 */
export function writeGeoTiffSync(path: string, raster: GeoTiffRaster, options: GeoTiffWriteOptions & { atomic?: boolean } = {}): void {
  const bytes = encodeGeoTiffBytes(raster, options);
  if (options.atomic === false) {
    writeFileSync(path, bytes);
    return;
  }
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
