/**
 * The libjpeg-exact JPEG decoder. Closed-form checks of its parts (DC-only IDCT, libjpeg's fancy upsampling and
 * YCbCr tables), streams with restart intervals and interleaved components from a tiny encoder, clear errors for
 * what it does not decode, and — where GDAL is installed — pixel-for-pixel agreement with GDAL on JPEG-in-TIFF
 * variants GDAL writes (YCbCr 4:2:0 tiles and strips of odd sizes, RGB, grey, band-interleaved).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromFile } from 'geotiff';
import { decodeJpeg } from '../../../src-main/core/geo/jpeg/decode';
import { upsample } from '../../../src-main/core/geo/jpeg/upsample';
import { yccToRgb } from '../../../src-main/core/geo/jpeg/color';
import { JpegError } from '../../../src-main/core/geo/jpeg/errors';
import { bandStatistics, readRaster } from '../../../src-main/core/geo/raster';
import { dcOnlySample, encodeDcOnlyJpeg } from './tiny-jpeg';
import { referenceFiles, SHARED_DATA } from './shared-data';

describe('JPEG decoder parts (libjpeg arithmetic)', () => {
  it('decodes DC-only blocks to 128 + DESCALE(dc*q, 3), clamped', () => {
    const dc = [0, 1, -1, 5, -5, 40, -40, 3];
    const jpeg = encodeDcOnlyJpeg({ width: 64, height: 8, components: [{ dc, q: 7 }] });
    const out = decodeJpeg(jpeg, { ycbcrToRgb: false });
    expect([out.width, out.height, out.components]).toEqual([64, 8, 1]);
    for (let b = 0; b < dc.length; b++) {
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) expect(out.data[y * 64 + b * 8 + x]).toBe(dcOnlySample(dc[b], 7));
    }
  });

  it('upsamples 2x1 with libjpeg\'s triangle filter and rounding biases', () => {
    const plane = { data: Uint8Array.from([0, 100, 200]), stride: 3, width: 3, height: 1 };
    // First/last columns are copies; inner samples are (3*near + far + 1 or 2) >> 2.
    expect(Array.from(upsample(plane, 2, 1, 6, 1))).toEqual([0, 25, 75, 125, 175, 200]);
  });

  it('upsamples 2x2 with weights 9:3:3:1 and replicated edges', () => {
    const plane = { data: Uint8Array.from([0, 160, 80, 240, 0, 0]), stride: 3, width: 3, height: 2 };
    const out = upsample(plane, 2, 2, 6, 4);
    // Row 0 blends input row 0 with itself (the row above the image is a copy), row 1 with input row 1.
    const colsum = (near: number[], far: number[]): number[] => near.map((v, i) => v * 3 + far[i]);
    const rowOf = (s: number[]): number[] => [
      (s[0] * 4 + 8) >> 4, (s[0] * 3 + s[1] + 7) >> 4,
      (s[1] * 3 + s[0] + 8) >> 4, (s[1] * 3 + s[2] + 7) >> 4,
      (s[2] * 3 + s[1] + 8) >> 4, (s[2] * 4 + 7) >> 4,
    ];
    const r0 = [0, 160, 80];
    const r1 = [240, 0, 0];
    expect(Array.from(out.subarray(0, 6))).toEqual(rowOf(colsum(r0, r0)));
    expect(Array.from(out.subarray(6, 12))).toEqual(rowOf(colsum(r0, r1)));
    expect(Array.from(out.subarray(12, 18))).toEqual(rowOf(colsum(r1, r0)));
    expect(Array.from(out.subarray(18, 24))).toEqual(rowOf(colsum(r1, r1)));
  });

  it('converts YCbCr with libjpeg\'s 16-bit fixed-point tables', () => {
    const out = new Uint8Array(9);
    yccToRgb(Uint8Array.from([128, 100, 30]), Uint8Array.from([128, 128, 250]), Uint8Array.from([128, 200, 10]), out);
    // Neutral chroma keeps grey; R = Y + round(1.402 (Cr-128)); B = Y + round(1.772 (Cb-128)); both clamped.
    expect(Array.from(out.subarray(0, 3))).toEqual([128, 128, 128]);
    expect(out[3]).toBe(100 + Math.round(1.402 * 72));
    expect(out[5]).toBe(100);
    expect(out[6]).toBe(0); // 30 + 1.402 * -118 < 0
    expect(out[8]).toBe(Math.min(255, 30 + Math.round(1.772 * 122)));
  });
});

describe('JPEG streams', () => {
  it.each([0, 3])('honours restart intervals (DC prediction resets at each RSTn), %i fill bytes before markers', (fillBytes) => {
    const dc = [10, 12, -3, 7, 7, -20, 4, 0, 1, 30, -30, 2];
    const jpeg = encodeDcOnlyJpeg({ width: 32, height: 24, components: [{ dc, q: 3 }], restartInterval: 5, fillBytes });
    expect(jpeg.includes(0xdd)).toBe(true);
    const out = decodeJpeg(jpeg, { ycbcrToRgb: false });
    for (let b = 0; b < dc.length; b++) {
      const bx = b % 4;
      const by = Math.floor(b / 4);
      expect(out.data[(by * 8 + 3) * 32 + bx * 8 + 5]).toBe(dcOnlySample(dc[b], 3));
    }
  });

  it('decodes interleaved 3-component scans, raw or as YCbCr', () => {
    const comps = [
      { dc: [0, 16, -16, 4], q: 8 },
      { dc: [0, 0, 8, -8], q: 8 },
      { dc: [4, -4, 0, 0], q: 8 },
    ];
    const jpeg = encodeDcOnlyJpeg({ width: 16, height: 16, components: comps, restartInterval: 1 });
    const raw = decodeJpeg(jpeg, { ycbcrToRgb: false });
    const rgb = decodeJpeg(jpeg, { ycbcrToRgb: true });
    for (let b = 0; b < 4; b++) {
      const p = ((Math.floor(b / 2) * 8 + 1) * 16 + (b % 2) * 8 + 1) * 3;
      const ycc = comps.map((c) => dcOnlySample(c.dc[b], c.q));
      expect(Array.from(raw.data.subarray(p, p + 3))).toEqual(ycc);
      const expected = new Uint8Array(3);
      yccToRgb(Uint8Array.of(ycc[0]), Uint8Array.of(ycc[1]), Uint8Array.of(ycc[2]), expected);
      expect(Array.from(rgb.data.subarray(p, p + 3))).toEqual(Array.from(expected));
    }
  });

  it('rejects a missing restart marker instead of decoding garbage', () => {
    const jpeg = encodeDcOnlyJpeg({ width: 32, height: 8, components: [{ dc: [1, 2, 3, 4], q: 2 }], restartInterval: 2 });
    const rst = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xd0);
    const broken = jpeg.slice();
    broken[rst + 1] = 0xd3; // RST3 where RST0 is due
    expect(() => decodeJpeg(broken, { ycbcrToRgb: false })).toThrow(/expected RST0/);
  });

  it('names what it does not decode', () => {
    const base = encodeDcOnlyJpeg({ width: 8, height: 8, components: [{ dc: [1], q: 1 }] });
    const sof = base.findIndex((b, i) => b === 0xff && base[i + 1] === 0xc0);
    const variant = (marker: number, precision = 8): Uint8Array => {
      const v = base.slice();
      v[sof + 1] = marker;
      v[sof + 4] = precision;
      return v;
    };
    expect(() => decodeJpeg(variant(0xc2), { ycbcrToRgb: false })).toThrow(/progressive JPEG is not supported/);
    expect(() => decodeJpeg(variant(0xc9), { ycbcrToRgb: false })).toThrow(/arithmetic-coded/);
    expect(() => decodeJpeg(variant(0xc3), { ycbcrToRgb: false })).toThrow(/lossless/);
    expect(() => decodeJpeg(variant(0xc0, 12), { ycbcrToRgb: false })).toThrow(/12-bit JPEG is not supported/);
    expect(() => decodeJpeg(Uint8Array.from([1, 2, 3, 4, 5]), { ycbcrToRgb: false })).toThrow(JpegError);
    expect(() => decodeJpeg(base.subarray(0, sof), { ycbcrToRgb: false })).toThrow(/no scan/);
  });
});

describe('JPEG-in-TIFF against GDAL', () => {
  const cogeo = referenceFiles('geotiff-zoo').find(([, name]) => name === 'rasterio_cogeo.tif');

  it('reads the YCbCr JPEG COG exactly as GDAL (means and samples of REFERENCE.json)', async () => {
    expect(cogeo).toBeDefined();
    const [path, , ref] = cogeo as NonNullable<typeof cogeo>;
    const { info, bands } = await readRaster(path);
    expect(info.photometric).toBe('rgb');
    ref.bands.forEach((rb, i) => {
      expect(bandStatistics(bands[i], null).mean).toBe(rb.mean);
      for (const [row, col, v] of rb.samples) expect(bands[i][row * info.width + col]).toBe(v);
    });
  });

  it('differs from geotiff.js\'s own JPEG path (box chroma upsampling, float IDCT): why we decode JPEG ourselves', async () => {
    // If this starts failing, geotiff.js has become libjpeg-exact and jpeg/ could be retired.
    const [path, , ref] = cogeo as NonNullable<typeof cogeo>;
    const tiff = await fromFile(path);
    try {
      const rgb = await (await tiff.getImage(0)).readRGB({ interleave: false });
      const means = rgb.map((band) => bandStatistics(band, null).mean as number);
      const drift = means.map((m, i) => Math.abs(m - (ref.bands[i].mean as number)));
      expect(Math.max(...drift)).toBeGreaterThan(0.01);
    } finally {
      await tiff.close();
    }
  });

  const gdal = spawnSync('gdal_translate', ['--version'], { encoding: 'utf8' });
  const haveGdal = gdal.status === 0;
  const dir = mkdtempSync(join(tmpdir(), 'terrafuse-jpeg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const source = join(SHARED_DATA, 'geotiff-zoo', 'rasterio_RGB.byte.tif');
  const variants: [string, string[]][] = [
    ['ycbcr-tiles-odd', ['-srcwin', '3', '5', '301', '203', '-co', 'PHOTOMETRIC=YCBCR', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=128', '-co', 'BLOCKYSIZE=64']],
    ['ycbcr-strips-odd', ['-srcwin', '3', '5', '301', '203', '-co', 'PHOTOMETRIC=YCBCR', '-co', 'BLOCKYSIZE=16', '-co', 'JPEG_QUALITY=95']],
    ['ycbcr-tiny', ['-srcwin', '400', '300', '3', '17', '-co', 'PHOTOMETRIC=YCBCR']],
    ['rgb-tiles', ['-srcwin', '3', '5', '301', '203', '-co', 'TILED=YES']],
    ['rgb-band-interleaved', ['-srcwin', '3', '5', '301', '203', '-co', 'INTERLEAVE=BAND', '-co', 'BLOCKYSIZE=32']],
    ['grey-q30', ['-b', '1', '-srcwin', '10', '10', '257', '131', '-co', 'JPEG_QUALITY=30']],
  ];

  it.skipIf(!haveGdal).each(variants)('GDAL-written %s: every pixel equal', async (name, args) => {
    const tif = join(dir, `${name}.tif`);
    const raw = join(dir, `${name}.raw`);
    const made = spawnSync('gdal_translate', ['-q', ...args, '-co', 'COMPRESS=JPEG', source, tif], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const back = spawnSync('gdal_translate', ['-q', '-of', 'ENVI', '-co', 'INTERLEAVE=BSQ', tif, raw], { encoding: 'utf8' });
    expect(back.status, back.stderr).toBe(0);
    const expected = new Uint8Array(readFileSync(raw)); // band-sequential bytes, as GDAL decoded them
    const { info, bands } = await readRaster(tif);
    expect(info.compression).toBe('jpeg');
    const n = info.width * info.height;
    let differing = 0;
    bands.forEach((band, b) => {
      for (let i = 0; i < n; i++) if (band[i] !== expected[b * n + i]) differing++;
    });
    expect(differing).toBe(0);
  });

  // Chroma subsamplings GDAL does not write (4:2:2) and standalone streams, decoded by libjpeg through Pillow.
  const pil = spawnSync('/usr/bin/python3', ['-c', 'import PIL, numpy'], { encoding: 'utf8' });
  it.skipIf(pil.status !== 0).each([
    ['4:4:4', 0],
    ['4:2:2', 1],
    ['4:2:0', 2],
  ])('Pillow/libjpeg %s stream: every pixel equal', (name, subsampling) => {
    const jpg = join(dir, `pil-${subsampling}.jpg`);
    const script = [
      'import sys, numpy as np',
      'from PIL import Image',
      'rng = np.random.default_rng(5)',
      'y, x = np.mgrid[0:77, 0:131]',
      'img = np.stack([(x * 2 + y) % 256, (y * 3) % 256, (x * y) % 256], -1) + rng.integers(-20, 20, (77, 131, 3))',
      'Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(sys.argv[1], quality=85, subsampling=int(sys.argv[2]))',
      'sys.stdout.buffer.write(np.asarray(Image.open(sys.argv[1]).convert("RGB")).tobytes())',
    ].join('\n');
    const run = spawnSync('/usr/bin/python3', ['-c', script, jpg, String(subsampling)], { maxBuffer: 1 << 24 });
    expect(run.status, String(run.stderr)).toBe(0);
    const ours = decodeJpeg(new Uint8Array(readFileSync(jpg)), { ycbcrToRgb: true });
    expect([ours.width, ours.height, ours.components]).toEqual([131, 77, 3]);
    const expected = new Uint8Array(run.stdout);
    let differing = 0;
    for (let i = 0; i < expected.length; i++) if (ours.data[i] !== expected[i]) differing++;
    expect(differing).toBe(0);
  });
});
