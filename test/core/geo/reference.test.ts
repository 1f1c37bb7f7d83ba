/**
 * Every file of ../shared/data/{geotiff-zoo,bigearthnet-v1}/REFERENCE.json, read with our reader and compared with
 * what GDAL (through rasterio) read: size, band count, dtype, EPSG, geotransform, nodata, overview count,
 * compression, tiling, per-band valid/min/max/mean over valid pixels, and the pixel samples.
 * Integers and float min/max/samples must be identical; means agree to 1e-12 relative (summation order only).
 * JPEG is included: our decoder reproduces libjpeg, so JPEG pixels are compared exactly too.
 */
import { describe, expect, it } from 'vitest';
import { bandStatistics, readRaster } from '../../../src-main/core/geo/raster';
import { nodataToJson } from '../../../src-main/core/geo/nodata';
import { expectMean, REFERENCE_SETS, referenceFiles } from './shared-data';

for (const set of REFERENCE_SETS) {
  const files = referenceFiles(set);

  describe(`GDAL agreement: ${set} (${files.length} files)`, () => {
    it('lists files', () => {
      expect(files.length).toBeGreaterThan(0);
    });

    it.each(files.map(([path, name, ref]) => ({ path, name, ref })))('$name', async ({ path, ref }) => {
      const { info, bands } = await readRaster(path);
      expect({
        width: info.width,
        height: info.height,
        count: info.count,
        dtype: info.dtype,
        crs_epsg: info.crs_epsg,
        transform: info.transform,
        nodata: nodataToJson(info.nodata),
        overviews: info.overviews,
        compression: info.compression,
        tiled: info.tiled,
      }).toEqual({
        width: ref.width,
        height: ref.height,
        count: ref.count,
        dtype: ref.dtype,
        crs_epsg: ref.crs_epsg,
        transform: ref.transform,
        nodata: ref.nodata,
        overviews: ref.overviews,
        compression: ref.compression,
        tiled: ref.tiled,
      });
      expect(bands).toHaveLength(ref.count);
      ref.bands.forEach((rb, i) => {
        const stats = bandStatistics(bands[i], info.nodata);
        expect({ band: i + 1, valid: stats.valid, min: stats.min, max: stats.max }).toEqual({
          band: i + 1,
          valid: rb.valid,
          min: rb.min,
          max: rb.max,
        });
        expectMean(stats.mean, rb.mean);
        for (const [row, col, value] of rb.samples) {
          const v = bands[i][row * info.width + col];
          expect({ band: i + 1, row, col, value: Number.isNaN(v) ? null : v }).toEqual({ band: i + 1, row, col, value });
        }
      });
    });
  });
}
