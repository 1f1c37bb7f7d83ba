/**
 * Encodings beyond the shared data: odd bit depths in pixel- and band-interleaved files, half floats, signed
 * bytes, both predictors on every type, ZSTD, LERC, PackBits, BigTIFF, big-endian, sparse files. Where GDAL is
 * installed, each is written by gdal_translate and every pixel is compared with GDAL's own decoding
 * (gdal_translate -of ENVI). Without GDAL, files written by the tiny test writer cover byte order and types.
 * Encodings geotiff.js cannot decode must fail with a message that names what is unsupported.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRaster, readRaster } from '../../../src-main/core/geo/raster';
import type { Dtype, TypedArray } from '../../../src-main/core/geo/types';
import { SHARED_DATA } from './shared-data';
import { tinyTiff } from './tiny-tiff';

const dir = mkdtempSync(join(tmpdir(), 'terrafuse-encodings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const haveGdal = spawnSync('gdal_translate', ['--version']).status === 0;
const RGB = join(SHARED_DATA, 'geotiff-zoo', 'rasterio_RGB.byte.tif');
const S1 = join(SHARED_DATA, 'bigearthnet-v1', 'BigEarthNet-S1', 'S1A_IW_GRDH_1SDV_20170613T165043_33UUP_61_39', 'S1A_IW_GRDH_1SDV_20170613T165043_33UUP_61_39_VV.tif');

function rawAs(dtype: Dtype, bytes: Buffer): TypedArray {
  const b = new Uint8Array(bytes).buffer; // a private, aligned copy
  const ctor = {
    uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
    uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
  }[dtype];
  return new ctor(b);
}

function gdal(args: string[]): void {
  const run = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${args.join(' ')}: ${run.stderr}`);
}

/** [name, source, gdal_translate options, expected dtype] */
const variants: [string, string, string[], Dtype][] = [
  ['nbits1', RGB, ['-b', '1', '-scale', '0', '255', '0', '1', '-co', 'NBITS=1'], 'uint8'],
  ['nbits2-pixel-3-bands', RGB, ['-scale', '0', '255', '0', '3', '-co', 'NBITS=2', '-co', 'INTERLEAVE=PIXEL'], 'uint8'],
  ['nbits4-band', RGB, ['-scale', '0', '255', '0', '15', '-co', 'NBITS=4', '-co', 'INTERLEAVE=BAND'], 'uint8'],
  ['nbits12-pixel-lzw', RGB, ['-b', '1', '-b', '2', '-ot', 'UInt16', '-scale', '0', '255', '0', '4095', '-co', 'NBITS=12', '-co', 'INTERLEAVE=PIXEL', '-co', 'COMPRESS=LZW'], 'uint16'],
  ['float16-deflate-pred3', S1, ['-co', 'NBITS=16', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3'], 'float32'],
  ['float32-pred3-tiled', S1, ['-co', 'COMPRESS=LZW', '-co', 'PREDICTOR=3', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=32', '-co', 'BLOCKYSIZE=16'], 'float32'],
  ['float64-pred3', S1, ['-ot', 'Float64', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3'], 'float64'],
  ['int8', RGB, ['-b', '1', '-co', 'PIXELTYPE=SIGNEDBYTE'], 'int8'],
  ['int16-pred2-band', RGB, ['-ot', 'Int16', '-scale', '0', '255', '-30000', '30000', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=2', '-co', 'INTERLEAVE=BAND'], 'int16'],
  ['uint16-pred2-pixel-tiled', RGB, ['-ot', 'UInt16', '-scale', '0', '255', '0', '65535', '-co', 'COMPRESS=LZW', '-co', 'PREDICTOR=2', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=64', '-co', 'BLOCKYSIZE=32'], 'uint16'],
  ['uint32', RGB, ['-b', '1', '-ot', 'UInt32', '-scale', '0', '255', '0', '4000000000'], 'uint32'],
  ['int32-nodata', RGB, ['-b', '2', '-ot', 'Int32', '-scale', '0', '255', '-2000000000', '2000000000', '-a_nodata', '-2000000000'], 'int32'],
  ['zstd', RGB, ['-co', 'COMPRESS=ZSTD', '-co', 'PREDICTOR=2'], 'uint8'],
  ['lerc', S1, ['-co', 'COMPRESS=LERC', '-co', 'MAX_Z_ERROR=0'], 'float32'],
  ['lerc-deflate', S1, ['-co', 'COMPRESS=LERC_DEFLATE', '-co', 'MAX_Z_ERROR=0.01'], 'float32'],
  ['packbits-uint16', RGB, ['-b', '3', '-ot', 'UInt16', '-co', 'COMPRESS=PACKBITS'], 'uint16'],
  ['bigtiff', RGB, ['-co', 'BIGTIFF=YES', '-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES'], 'uint8'],
  ['big-endian-float', S1, ['-co', 'ENDIANNESS=BIG'], 'float32'],
  // Big-endian files with many strips also exercise the work-around for geotiff.js's little-endian-only
  // deferred offset arrays, and predictors on big-endian words.
  ['big-endian-int16-lzw-pred2', RGB, ['-ot', 'Int16', '-co', 'ENDIANNESS=BIG', '-co', 'COMPRESS=LZW', '-co', 'PREDICTOR=2'], 'int16'],
  ['big-endian-uint16-pixel-pred2', RGB, ['-ot', 'UInt16', '-co', 'ENDIANNESS=BIG', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=2', '-co', 'INTERLEAVE=PIXEL'], 'uint16'],
  ['big-endian-uint32-pred2', RGB, ['-b', '1', '-ot', 'UInt32', '-scale', '0', '255', '0', '4000000000', '-co', 'ENDIANNESS=BIG', '-co', 'COMPRESS=LZW', '-co', 'PREDICTOR=2'], 'uint32'],
  ['big-endian-float32-pred3', S1, ['-co', 'ENDIANNESS=BIG', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3'], 'float32'],
  ['big-endian-float64-pred3-tiled', S1, ['-ot', 'Float64', '-co', 'ENDIANNESS=BIG', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=16', '-co', 'BLOCKYSIZE=16'], 'float64'],
  ['big-endian-nbits12', RGB, ['-b', '1', '-ot', 'UInt16', '-scale', '0', '255', '0', '4095', '-co', 'NBITS=12', '-co', 'ENDIANNESS=BIG'], 'uint16'],
];

describe.skipIf(!haveGdal)('encodings written by GDAL: every pixel equals GDAL\'s reading', () => {
  it.each(variants)('%s', async (name, source, options, dtype) => {
    const tif = join(dir, `${name}.tif`);
    const raw = join(dir, `${name}.raw`);
    gdal(['gdal_translate', '-q', ...options, source, tif]);
    gdal(['gdal_translate', '-q', '-of', 'ENVI', '-co', 'INTERLEAVE=BSQ', tif, raw]);
    const { info, bands } = await readRaster(tif);
    expect(info.dtype).toBe(dtype);
    const expected = rawAs(dtype, readFileSync(raw));
    const n = info.width * info.height;
    expect(expected.length).toBe(n * info.count);
    let differing = 0;
    bands.forEach((band, b) => {
      for (let i = 0; i < n; i++) {
        const v = band[i];
        const e = expected[b * n + i];
        if (v !== e && !(Number.isNaN(v) && Number.isNaN(e))) differing++;
      }
    });
    expect(differing).toBe(0);
  });

  it('sparse blocks read as nodata, as GDAL fills them', async () => {
    const tif = join(dir, 'sparse.tif');
    gdal(['gdal_create', '-of', 'GTiff', '-outsize', '40', '30', '-bands', '2', '-ot', 'UInt16', '-a_nodata', '7',
      '-co', 'SPARSE_OK=TRUE', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=16', '-co', 'BLOCKYSIZE=16', tif]);
    const { info, bands } = await readRaster(tif);
    expect(info.nodata).toBe(7);
    for (const band of bands) expect(band.every((v) => v === 7)).toBe(true);
  });
});

describe('byte order and types without GDAL (tiny test writer)', () => {
  const data = [0, 1, 255, 256, 4095, 65535];
  it.each([true, false])('uint16, littleEndian=%s', async (le) => {
    const path = join(dir, `u16-${le}.tif`);
    writeFileSync(path, tinyTiff({ width: 3, height: 2, bitsPerSample: 16, sampleFormat: 1, data, littleEndian: le }));
    const { bands } = await readRaster(path);
    expect(Array.from(bands[0])).toEqual(data);
  });

  it.each([true, false])('float64 with NaN and infinities, littleEndian=%s', async (le) => {
    const values = [1.5, -2.25, NaN, Infinity, -Infinity, 1e300];
    const path = join(dir, `f64-${le}.tif`);
    writeFileSync(path, tinyTiff({ width: 3, height: 2, bitsPerSample: 64, sampleFormat: 3, data: values, littleEndian: le }));
    const { info, bands } = await readRaster(path);
    expect(info.dtype).toBe('float64');
    expect(Array.from(bands[0])).toEqual(values);
  });

  it('FillOrder=2 (least significant bit first) is undone before decoding, as libtiff does', async () => {
    const reverse = (b: number): number => {
      let r = 0;
      for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
      return r;
    };
    const values = [1, 256, 300, 4000, 65535, 7];
    const path = join(dir, 'fill-order-2.tif');
    const stored = values.map((v) => (reverse(v >> 8) << 8) | reverse(v & 255));
    writeFileSync(path, tinyTiff({ width: 3, height: 2, bitsPerSample: 16, sampleFormat: 1, data: stored, tags: { 266: { type: 'SHORT', value: [2] } } }));
    expect(Array.from((await readRaster(path)).bands[0])).toEqual(values);
  });

  it('signed 32-bit and 3 pixel-interleaved bands', async () => {
    const values = [-2147483648, 2147483647, -1, 0, 1, 7];
    const path = join(dir, 'i32x3.tif');
    writeFileSync(path, tinyTiff({ width: 2, height: 1, samples: 3, bitsPerSample: 32, sampleFormat: 2, data: values }));
    const { info, bands } = await readRaster(path);
    expect([info.count, info.dtype, info.interleave]).toEqual([3, 'int32', 'pixel']);
    expect(bands.map((b) => Array.from(b))).toEqual([[-2147483648, 0], [2147483647, 1], [-1, 7]]);
  });
});

describe('what geotiff.js cannot decode fails with the reason', () => {
  const cases: [string, Parameters<typeof tinyTiff>[0], RegExp][] = [
    ['lzma', { width: 2, height: 2, bitsPerSample: 8, sampleFormat: 1, data: [1, 2, 3, 4], tags: { 259: { type: 'SHORT', value: [34925] } } }, /compression lzma is not supported by geotiff\.js/],
    ['webp', { width: 2, height: 2, bitsPerSample: 8, sampleFormat: 1, data: [1, 2, 3, 4], tags: { 259: { type: 'SHORT', value: [50001] } } }, /compression webp is not supported by geotiff\.js \(it needs a browser image decoder\)/],
    ['ccitt', { width: 2, height: 2, bitsPerSample: 8, sampleFormat: 1, data: [1, 2, 3, 4], tags: { 259: { type: 'SHORT', value: [4] } } }, /compression ccittfax4 is not supported/],
    ['uncompressed-ycbcr', { width: 2, height: 2, samples: 3, bitsPerSample: 8, sampleFormat: 1, photometric: 6, data: Array(12).fill(9) }, /YCbCr pixels outside JPEG compression are not supported/],
  ];
  it.each(cases)('%s', async (name, spec, message) => {
    const path = join(dir, `${name}.tif`);
    writeFileSync(path, tinyTiff(spec));
    const info = await openRaster(path); // the metadata is still readable
    expect(info.width).toBe(2);
    await expect(readRaster(path)).rejects.toThrow(message);
    await expect(readRaster(path)).rejects.toThrow(path);
  });

  it.each([
    ['complex', 6, 64, /complex samples .* are not supported by geotiff\.js/],
    ['uint64', 1, 64, /64-bit unsigned integer samples \(GDAL UInt64\) are not supported by geotiff\.js/],
    ['int64', 2, 64, /64-bit signed integer samples \(GDAL Int64\) are not supported by geotiff\.js/],
  ] as const)('%s samples', async (name, format, bits, message) => {
    const path = join(dir, `${name}.tif`);
    // Written as raw 64-bit floats: only the tags matter, reading stops at the sample type.
    writeFileSync(path, tinyTiff({ width: 2, height: 1, bitsPerSample: bits, sampleFormat: 3, data: [0, 0], tags: { 339: { type: 'SHORT', value: [format] } } }));
    await expect(openRaster(path)).rejects.toThrow(message);
  });
});
