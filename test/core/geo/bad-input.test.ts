/**
 * Bad input: truncated copies of real files (cut at several points, strips and tiles, header in front or at the
 * end), random bytes, other file types, missing files, folders, NaN pixels, bad band / window requests.
 * Every failure is a RasterError whose message names the file and says why.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bandStatistics, openRaster, RasterError, readRaster } from '../../../src-main/core/geo/raster';
import { SHARED_DATA } from './shared-data';
import { tinyTiff, type Tag } from './tiny-tiff';

const dir = mkdtempSync(join(tmpdir(), 'terrafuse-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** mulberry32: a seeded generator, so the "random" bytes are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function failure(promise: Promise<unknown>): Promise<RasterError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(RasterError);
    return err as RasterError;
  }
  throw new Error('expected a RasterError, the read succeeded');
}

const ZOO = join(SHARED_DATA, 'geotiff-zoo');
const BEN_B02 = join(SHARED_DATA, 'bigearthnet-v1', 'BigEarthNet-S2', 'S2A_MSIL2A_20170613T101031_87_48', 'S2A_MSIL2A_20170613T101031_87_48_B02.tif');

describe('truncated TIFFs', () => {
  // Strips with the IFD at the end (RGB.byte), strips with the IFD in front (BigEarthNet), a tiled COG with
  // overviews, a JPEG COG.
  const sources = [join(ZOO, 'rasterio_RGB.byte.tif'), BEN_B02, join(ZOO, 'riotiler_cog.tif'), join(ZOO, 'rasterio_cogeo.tif')];
  const cuts = [0.02, 0.5, 0.99];
  const cases = sources.flatMap((src) => cuts.map((cut) => ({ src, cut, name: `${src.split('/').pop()} cut at ${cut * 100}%` })));

  it.each(cases)('$name', async ({ src, cut }) => {
    const bytes = readFileSync(src);
    const path = join(dir, `cut-${cut}-${src.split('/').pop()}`);
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * cut)));
    const err = await failure(readRaster(path));
    expect(err.path).toBe(path);
    expect(err.message.startsWith(`${path}: `)).toBe(true);
    expect(err.reason).toMatch(/truncated/);
    // openRaster checks every block against the file size, so inspection finds it too.
    expect((await failure(openRaster(path))).reason).toMatch(/truncated/);
  });

  it('names the block and byte range that is missing', async () => {
    const bytes = readFileSync(BEN_B02);
    const path = join(dir, 'ben-b02-cut.tif');
    writeFileSync(path, bytes.subarray(0, 20000));
    const err = await failure(readRaster(path));
    expect(err.reason).toMatch(/^truncated file: strip \d+ occupies bytes \d+\.\.\d+ but the file has only 20000 bytes$/);
  });

  it('a file cut inside its header', async () => {
    const path = join(dir, 'header-only.tif');
    writeFileSync(path, readFileSync(BEN_B02).subarray(0, 8));
    expect((await failure(readRaster(path))).reason).toBe('truncated or corrupt TIFF: the first IFD is at byte 8, but the file has 8 bytes');
  });
});

describe('not TIFFs', () => {
  it('random bytes', async () => {
    const next = seeded(42);
    const path = join(dir, 'random.tif');
    writeFileSync(path, Uint8Array.from({ length: 4096 }, () => Math.floor(next() * 256)));
    expect((await failure(readRaster(path))).reason).toMatch(/^not a TIFF file: header bytes [0-9a-f ]+ are not 'II\*\\0' or 'MM\\0\*'$/);
  });

  it('random bytes behind a valid TIFF header', async () => {
    const next = seeded(7);
    const bytes = Uint8Array.from({ length: 4096 }, () => Math.floor(next() * 256));
    bytes.set([0x49, 0x49, 42, 0, 8, 0, 0, 0]);
    const path = join(dir, 'header-then-noise.tif');
    writeFileSync(path, bytes);
    expect((await failure(openRaster(path))).reason).toMatch(/corrupt|truncated/);
  });

  it('other file types are named', async () => {
    const png = join(dir, 'image.tif');
    writeFileSync(png, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
    expect((await failure(readRaster(png))).reason).toBe('not a TIFF file: it is a PNG image');
    const text = join(dir, 'notes.tif');
    writeFileSync(text, 'patch_id,label\n');
    expect((await failure(readRaster(text))).reason).toBe('not a TIFF file: it starts with text "patch_id"');
  });

  it('empty file, missing file, folder', async () => {
    const empty = join(dir, 'empty.tif');
    writeFileSync(empty, '');
    expect((await failure(openRaster(empty))).reason).toBe('not a TIFF file: only 0 bytes long');
    const missing = join(dir, 'does-not-exist.tif');
    const err = await failure(readRaster(missing));
    expect(err.message).toBe(`${missing}: file not found`);
    const folder = join(dir, 'a-folder.tif');
    mkdirSync(folder);
    expect((await failure(openRaster(folder))).reason).toBe('is a folder, not a GeoTIFF');
  });
});

describe('NaN pixels and requests', () => {
  const values = [1, NaN, 3, -9999, NaN, 6];
  const write = (name: string, nodata?: string): string => {
    const path = join(dir, name);
    const tags: Record<number, Tag> = nodata === undefined ? {} : { 42113: { type: 'ASCII', value: nodata } };
    writeFileSync(path, tinyTiff({ width: 3, height: 2, bitsPerSample: 32, sampleFormat: 3, data: values, tags }));
    return path;
  };

  it('NaN pixels are read as NaN and left out of the statistics', async () => {
    const { info, bands } = await readRaster(write('nan.tif'));
    expect(info.nodata).toBeNull();
    expect(Array.from(bands[0]).map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual([1, 'NaN', 3, -9999, 'NaN', 6]);
    expect(bandStatistics(bands[0], info.nodata)).toEqual({ valid: 4, min: -9999, max: 6, mean: (1 + 3 - 9999 + 6) / 4 });
  });

  it('NaN pixels and a numeric nodata are both excluded', async () => {
    const { info, bands } = await readRaster(write('nan-and-nodata.tif', '-9999'));
    expect(info.nodata).toBe(-9999);
    expect(bandStatistics(bands[0], info.nodata)).toEqual({ valid: 3, min: 1, max: 6, mean: 10 / 3 });
  });

  it.each([
    ['nan', NaN], ['NaN', NaN], ['-nan', NaN], [' -9999 ', -9999], ['1e3xyz', 1000], ['inf', Infinity], ['-Inf', -Infinity], ['', 0],
  ])('GDAL_NODATA %j reads as %s (GDAL\'s CPLAtofM)', async (text, expected) => {
    const info = await openRaster(write(`nodata-${encodeURIComponent(text)}.tif`, text));
    expect(Object.is(info.nodata, expected) || info.nodata === expected).toBe(true);
  });

  it('bands are 1-based and must exist; windows must lie inside the image', async () => {
    const path = write('requests.tif');
    expect((await failure(readRaster(path, { bands: [0] }))).reason).toMatch(/band 0 does not exist: bands are numbered 1\.\.1/);
    expect((await failure(readRaster(path, { bands: [2] }))).reason).toMatch(/band 2 does not exist/);
    expect((await failure(readRaster(path, { window: [0, 0, 4, 2] }))).reason).toMatch(/window \[0, 0, 4, 2\] is not inside the 3 x 2 image/);
    expect((await failure(readRaster(path, { window: [2, 1, 2, 2] }))).reason).toMatch(/not inside/);
    const { bands, window } = await readRaster(path, { window: [1, 0, 3, 2] });
    expect(window).toEqual([1, 0, 3, 2]);
    expect(Array.from(bands[0]).map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(['NaN', 3, 'NaN', 6]);
  });
});

describe('windows and band subsets read the same pixels as the whole image', () => {
  it.each([
    ['pixel-interleaved strips', 'rasterio_RGB.byte.tif', [2, 3]],
    ['band-interleaved deflate', 'rasterio_rgb_deflate.tif', [3]],
    ['tiled LZW', 'rasterio_rgb_lzw.tif', [1, 3]],
    ['JPEG COG', 'rasterio_cogeo.tif', [2]],
  ])('%s', async (_, name, bands) => {
    const path = join(dir, name);
    copyFileSync(join(ZOO, name), path);
    const whole = await readRaster(path);
    const window: [number, number, number, number] = [250, 130, 517, 301];
    const part = await readRaster(path, { bands, window });
    const w = whole.info.width;
    bands.forEach((b, i) => {
      const expected: number[] = [];
      for (let y = window[1]; y < window[3]; y++) for (let x = window[0]; x < window[2]; x++) expected.push(whole.bands[b - 1][y * w + x]);
      expect(Array.from(part.bands[i])).toEqual(expected);
    });
  });
});
