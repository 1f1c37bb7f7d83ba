import { fromArrayBuffer } from 'geotiff';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeGeoTiffBytes, writeGeoTiff, writeGeoTiffSync, type GeoTiffRaster, type GeoTiffWriteOptions, type RasterArray,
} from '../../../src-main/core/geo/write';
import { createRng } from '../../../src-main/core/data/rng';
import { epsgOf, gdalinfo, gdalPixel, HAS_GDAL, HAS_RASTERIO, rasterioRead } from './gdal';

const dir = mkdtempSync(join(tmpdir(), 'tf-geotiff-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Ctor = new (n: number) => RasterArray;
const TYPES: Array<[string, Ctor, (u: number) => number]> = [
  ['uint8', Uint8Array, (u) => Math.floor(u * 256)],
  ['int8', Int8Array, (u) => Math.floor(u * 256) - 128],
  ['uint16', Uint16Array, (u) => Math.floor(u * 65536)],
  ['int16', Int16Array, (u) => Math.floor(u * 65536) - 32768],
  ['uint32', Uint32Array, (u) => Math.floor(u * 4294967296)],
  ['int32', Int32Array, (u) => Math.floor(u * 4294967296) - 2147483648],
  ['float32', Float32Array, (u) => (u - 0.5) * 1e4],
  ['float64', Float64Array, (u) => (u - 0.5) * 1e9],
];

/** A raster of smooth ramps plus random values, so predictors and deflate see realistic and hostile data. */
function makeRaster(Type: Ctor, value: (u: number) => number, width: number, height: number, bands: number, seed: string): GeoTiffRaster {
  const rng = createRng(seed);
  const arrays = Array.from({ length: bands }, (_, b) => {
    const a = new Type(width * height);
    for (let i = 0; i < a.length; i++) a[i] = value(i % 7 === 0 ? rng.next() : ((i * (b + 3)) % 997) / 997);
    return a;
  });
  return { width, height, bands: arrays, transform: [10, 0, 404400, 0, -10, 5342400], epsg: 32633 };
}

async function readWithGeotiffJs(bytes: Uint8Array) {
  const tiff = await fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const image = await tiff.getImage();
  const rasters = (await image.readRasters()) as unknown as RasterArray[];
  return { image, rasters };
}

const VARIANTS: Array<[string, GeoTiffWriteOptions, number]> = [
  ['uncompressed, 1 band', {}, 1],
  ['uncompressed, 3 bands pixel-interleaved', { interleave: 'pixel' }, 3],
  ['deflate, 3 bands band-interleaved, small strips', { compression: 'deflate', interleave: 'band', rowsPerStrip: 4 }, 3],
];

describe('encodeGeoTiff read back by geotiff.js', () => {
  for (const [name, Type, value] of TYPES) {
    for (const [vname, opts, nb] of VARIANTS) {
      it(`${name}: ${vname}`, async () => {
        const raster = makeRaster(Type, value, 37, 23, nb, `${name}/${vname}`);
        const { image, rasters } = await readWithGeotiffJs(encodeGeoTiffBytes(raster, opts));
        expect(image.getWidth()).toBe(37);
        expect(image.getHeight()).toBe(23);
        expect(image.getSamplesPerPixel()).toBe(nb);
        expect(image.getOrigin().slice(0, 2)).toEqual([404400, 5342400]);
        expect(image.getResolution().slice(0, 2)).toEqual([10, -10]);
        expect(image.getGeoKeys()?.ProjectedCSTypeGeoKey).toBe(32633);
        expect(image.getGeoKeys()?.GTRasterTypeGeoKey).toBe(1);
        for (let b = 0; b < nb; b++) {
          expect(rasters[b].constructor).toBe(Type);
          expect(Array.from(rasters[b])).toEqual(Array.from(raster.bands[b]));
        }
      });
    }
  }

  it('applies the horizontal predictor to integers and the floating-point predictor to floats, losslessly', async () => {
    for (const [, Type, value] of TYPES) {
      const isFloat = Type === Float32Array || Type === Float64Array;
      // geotiff.js decodes predictor 2 only up to 32-bit samples.
      const raster = makeRaster(Type, value, 50, 9, 2, 'pred');
      for (const interleave of ['pixel', 'band'] as const) {
        const bytes = encodeGeoTiffBytes(raster, { compression: 'deflate', predictor: isFloat ? 3 : 2, interleave });
        const { rasters } = await readWithGeotiffJs(bytes);
        for (let b = 0; b < 2; b++) expect(Array.from(rasters[b])).toEqual(Array.from(raster.bands[b]));
      }
    }
  });

  it('writes GDAL_NODATA (including NaN) and band descriptions', async () => {
    const f = new Float32Array(12).map((_, i) => (i === 5 ? NaN : i));
    const { image } = await readWithGeotiffJs(encodeGeoTiffBytes({ width: 4, height: 3, bands: [f], transform: [1, 0, 0, 0, -1, 0], epsg: 4326, nodata: NaN }));
    expect(Number.isNaN(image.getGDALNoData())).toBe(true);
    expect(image.getGeoKeys()?.GeographicTypeGeoKey).toBe(4326);
    const u = new Uint16Array(12);
    const { image: i2 } = await readWithGeotiffJs(encodeGeoTiffBytes({ width: 4, height: 3, bands: [u], transform: [1, 0, 0, 0, -1, 0], epsg: 32633, nodata: 65535 }));
    expect(i2.getGDALNoData()).toBe(65535);
  });

  it('writes the same bytes for the same input (no dates or versions in the file)', () => {
    const raster = makeRaster(Uint16Array, (u) => Math.floor(u * 1000), 20, 20, 2, 'same');
    const a = encodeGeoTiffBytes(raster, { compression: 'deflate', predictor: 2 });
    const b = encodeGeoTiffBytes(raster, { compression: 'deflate', predictor: 2 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('rejects inconsistent input with a reason', () => {
    const ok = { width: 2, height: 2, transform: [1, 0, 0, 0, -1, 0] as [number, number, number, number, number, number], epsg: 32633 };
    expect(() => encodeGeoTiffBytes({ ...ok, bands: [new Uint8Array(3)] })).toThrow(/3 samples/);
    expect(() => encodeGeoTiffBytes({ ...ok, bands: [new Uint8Array(4), new Uint16Array(4)] })).toThrow(/uint16/);
    expect(() => encodeGeoTiffBytes({ ...ok, bands: [new Uint8Array(4)], nodata: NaN })).toThrow(/NaN/);
    expect(() => encodeGeoTiffBytes({ ...ok, bands: [new Float32Array(4)] }, { compression: 'deflate', predictor: 2 })).toThrow(/predictor 2/);
    expect(() => encodeGeoTiffBytes({ ...ok, bands: [new Uint8Array(4)], transform: [0, 0, 0, 0, 0, 0] })).toThrow(/degenerate/);
  });
});

describe('atomic writes', () => {
  it('leaves only the final file, and nothing when the write fails', async () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const raster = makeRaster(Uint8Array, (u) => Math.floor(u * 200), 8, 8, 1, 'atomic');
    await writeGeoTiff(join(sub, 'a.tif'), raster);
    writeGeoTiffSync(join(sub, 'b.tif'), raster);
    expect(readdirSync(sub).sort()).toEqual(['a.tif', 'b.tif']);
    expect(Buffer.from(readFileSync(join(sub, 'a.tif'))).equals(Buffer.from(encodeGeoTiffBytes(raster)))).toBe(true);
    await expect(writeGeoTiff(join(sub, 'missing-dir', 'c.tif'), raster)).rejects.toThrow();
    expect(readdirSync(sub).sort()).toEqual(['a.tif', 'b.tif']);
  });
});

describe.skipIf(!HAS_GDAL)('GDAL reads what we write exactly', () => {
  const files: Array<{ path: string; raster: GeoTiffRaster; opts: GeoTiffWriteOptions; gdalType: string }> = [];
  const gdalTypes: Record<string, string> = {
    uint8: 'Byte', int8: 'Int8', uint16: 'UInt16', int16: 'Int16', uint32: 'UInt32', int32: 'Int32', float32: 'Float32', float64: 'Float64',
  };
  for (const [name, Type, value] of TYPES) {
    const isFloat = Type === Float32Array || Type === Float64Array;
    const variants: GeoTiffWriteOptions[] = [
      {},
      { compression: 'deflate', predictor: isFloat ? 3 : 2, interleave: 'pixel', rowsPerStrip: 5 },
      { compression: 'deflate', interleave: 'band', bigtiff: true },
    ];
    variants.forEach((opts, v) => {
      const raster = makeRaster(Type, value, 31, 17, v === 0 ? 1 : 3, `gdal/${name}/${v}`);
      if (isFloat) raster.nodata = v === 1 ? NaN : -9999;
      else if (name === 'uint8') raster.nodata = 0;
      raster.bandNames = raster.bands.map((_, b) => `band-${b + 1}`);
      files.push({ path: join(dir, `gdal-${name}-${v}.tif`), raster, opts, gdalType: gdalTypes[name] });
    });
  }
  // A rotated geotransform in a geographic CRS, written as ModelTransformation.
  files.push({
    path: join(dir, 'gdal-rotated.tif'),
    raster: { ...makeRaster(Uint8Array, (u) => Math.floor(u * 255), 9, 6, 1, 'rot'), transform: [0.5, 0.1, 10, 0.05, -0.5, 50], epsg: 4326 },
    opts: {},
    gdalType: 'Byte',
  });

  it('gdalinfo: size, type, EPSG, geotransform, nodata, descriptions; gdallocationinfo: a pixel', () => {
    for (const f of files) writeGeoTiffSync(f.path, f.raster, f.opts);
    for (const f of files) {
      const info = gdalinfo(f.path);
      expect(info.size, f.path).toEqual([f.raster.width, f.raster.height]);
      expect(info.geoTransform, f.path).toEqual([
        f.raster.transform[2], f.raster.transform[0], f.raster.transform[1],
        f.raster.transform[5], f.raster.transform[3], f.raster.transform[4],
      ]);
      expect(epsgOf(info), f.path).toBe(f.raster.epsg);
      expect(info.bands.length).toBe(f.raster.bands.length);
      info.bands.forEach((b, i) => {
        // GDAL < 3.7 has no Int8 type: it reads signed bytes as Byte flagged PIXELTYPE=SIGNEDBYTE.
        const signedByte = b.type === 'Byte' && b.metadata?.IMAGE_STRUCTURE?.PIXELTYPE === 'SIGNEDBYTE';
        expect(f.gdalType === 'Int8' && signedByte ? 'Int8' : b.type, f.path).toBe(f.gdalType);
        if (f.raster.bandNames) expect(b.description).toBe(f.raster.bandNames[i]);
        if (f.raster.nodata === undefined) expect(b.noDataValue).toBeUndefined();
        else if (Number.isNaN(f.raster.nodata)) expect(b.noDataValue).toBe('NaN');
        else expect(b.noDataValue).toBe(f.raster.nodata);
      });
      const [col, row] = [7, 4];
      const expected = f.raster.bands[0][row * f.raster.width + col];
      let got = gdalPixel(f.path, col, row);
      if (f.gdalType === 'Int8' && got > 127) got -= 256; // old GDAL prints signed bytes unsigned
      if (Number.isNaN(expected)) expect(Number.isNaN(got)).toBe(true);
      else expect(got).toBeCloseTo(expected, f.gdalType.startsWith('Float') ? 3 : 10);
    }
  });

  it.skipIf(!HAS_RASTERIO)('rasterio reads every sample bit-exactly', () => {
    for (const f of files) writeGeoTiffSync(f.path, f.raster, f.opts);
    const reads = rasterioRead(files.map((f) => f.path));
    reads.forEach((r, k) => {
      const f = files[k];
      expect(r.count).toBe(f.raster.bands.length);
      expect(r.epsg).toBe(f.raster.epsg);
      const expected = Buffer.concat(f.raster.bands.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
      expect(Buffer.from(r.data, 'base64').equals(expected), f.path).toBe(true);
    });
  });
});
