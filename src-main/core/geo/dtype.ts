/**
 * TIFF SampleFormat + BitsPerSample -> the numpy dtype name rasterio reports, and the typed array that holds it.
 * As in GDAL: 1..8-bit unsigned -> uint8 (NBITS), 9..16 -> uint16, 17..32 -> uint32; half floats are promoted to
 * float32; signed 8-bit is int8 (GDAL's PIXELTYPE=SIGNEDBYTE).
 */
import { UnsupportedRaster } from './errors';
import type { Dtype, TypedArray } from './types';

export function dtypeFor(sampleFormat: number, bits: number): Dtype {
  if (sampleFormat === 1 || sampleFormat === 4 /* "undefined" = unsigned, as libtiff */) {
    if (bits >= 1 && bits <= 8) return 'uint8';
    if (bits <= 16) return 'uint16';
    if (bits <= 32) return 'uint32';
    throw new UnsupportedRaster(`${bits}-bit unsigned integer samples (GDAL UInt64) are not supported by geotiff.js`);
  }
  if (sampleFormat === 2) {
    if (bits === 8) return 'int8';
    if (bits === 16) return 'int16';
    if (bits === 32) return 'int32';
    if (bits === 64) throw new UnsupportedRaster('64-bit signed integer samples (GDAL Int64) are not supported by geotiff.js');
    throw new UnsupportedRaster(`${bits}-bit signed integer samples are not supported`);
  }
  if (sampleFormat === 3) {
    if (bits === 16 || bits === 32) return 'float32';
    if (bits === 64) return 'float64';
    throw new UnsupportedRaster(`${bits}-bit floating point samples are not supported`);
  }
  if (sampleFormat === 5 || sampleFormat === 6) {
    throw new UnsupportedRaster('complex samples (SampleFormat 5/6, GDAL CInt/CFloat) are not supported by geotiff.js');
  }
  throw new UnsupportedRaster(`unknown SampleFormat ${sampleFormat}`);
}

export function allocate(dtype: Dtype, length: number): TypedArray {
  switch (dtype) {
    case 'uint8': return new Uint8Array(length);
    case 'int8': return new Int8Array(length);
    case 'uint16': return new Uint16Array(length);
    case 'int16': return new Int16Array(length);
    case 'uint32': return new Uint32Array(length);
    case 'int32': return new Int32Array(length);
    case 'float32': return new Float32Array(length);
    case 'float64': return new Float64Array(length);
  }
}

/** Views `buffer` as `dtype` (the buffer must be aligned, which decoded blocks always are). */
export function view(dtype: Dtype, buffer: ArrayBufferLike, length: number): TypedArray {
  switch (dtype) {
    case 'uint8': return new Uint8Array(buffer, 0, length);
    case 'int8': return new Int8Array(buffer, 0, length);
    case 'uint16': return new Uint16Array(buffer, 0, length);
    case 'int16': return new Int16Array(buffer, 0, length);
    case 'uint32': return new Uint32Array(buffer, 0, length);
    case 'int32': return new Int32Array(buffer, 0, length);
    case 'float32': return new Float32Array(buffer, 0, length);
    case 'float64': return new Float64Array(buffer, 0, length);
  }
}

export const BYTES: Record<Dtype, number> = {
  uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8,
};

/** IEEE 754 binary16 -> number, exact (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
