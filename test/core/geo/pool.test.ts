/**
 * geotiff.js's worker Pool for the lossless decoders: the same pixels as decoding in this thread, the JPEG
 * decoder still ours (the router keeps JPEG out of the workers), and a caller's pool left running.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Pool } from 'geotiff';
import { readRaster } from '../../../src-main/core/geo/raster';
import { SHARED_DATA } from './shared-data';

const ZOO = join(SHARED_DATA, 'geotiff-zoo');
const pool = new Pool(2);
afterAll(async () => {
  await pool.destroy();
});

describe('decoding with a worker pool', () => {
  it.each(['riotiler_cog_int16.tif', 'rasterio_rgb_lzw.tif', 'riotiler_cog_nodata_nan.tif', 'rasterio_cogeo.tif'])('%s', async (name) => {
    const path = join(ZOO, name);
    const here = await readRaster(path, { pool: null });
    const pooled = await readRaster(path, { pool });
    expect(pooled.bands.length).toBe(here.bands.length);
    pooled.bands.forEach((band, i) => {
      const a = band;
      const b = here.bands[i];
      let differing = 0;
      for (let k = 0; k < a.length; k++) if (a[k] !== b[k] && !(Number.isNaN(a[k]) && Number.isNaN(b[k]))) differing++;
      expect(differing).toBe(0);
    });
    // The pool is the caller's: still usable after the read.
    expect(pool.workerWrappers).not.toBeNull();
  });
});
