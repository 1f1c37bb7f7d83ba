/**
 * Built-in CRSs, reprojection to WGS 84 and footprints (rotation, antimeridian, whole-world rasters).
 * Reference points are exact properties of the projections (a UTM zone's central meridian maps to its longitude,
 * LAEA's false origin to its centre), or GDAL's reading where it is installed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import proj4 from 'proj4';
import { builtinDefinition, CrsError, footprint, registerCrs, toWgs84 } from '../../../src-main/core/geo/crs';
import { openRaster } from '../../../src-main/core/geo/raster';
import { SHARED_DATA } from './shared-data';

const ZOO = join(SHARED_DATA, 'geotiff-zoo');

describe('registerCrs / toWgs84', () => {
  it('knows WGS 84, Web Mercator, every UTM zone, ETRS89 UTM and LAEA Europe', () => {
    const codes = [4326, 3857, 3035];
    for (let z = 1; z <= 60; z++) codes.push(32600 + z, 32700 + z);
    for (let z = 28; z <= 38; z++) codes.push(25800 + z);
    for (const code of codes) {
      expect(registerCrs(code)).toBe(`EPSG:${code}`);
      expect(proj4.defs(`EPSG:${code}`)).toBeDefined();
    }
  });

  it('refuses an unknown code unless given a definition', () => {
    expect(() => registerCrs(2056)).toThrow(CrsError);
    expect(() => registerCrs(2056)).toThrow(/EPSG:2056 has no built-in proj4 definition/);
    const swiss = '+proj=somerc +lat_0=46.9524055555556 +lon_0=7.43958333333333 +k_0=1 +x_0=2600000 +y_0=1200000 +ellps=bessel +towgs84=674.374,15.056,405.346,0,0,0,0 +units=m +no_defs';
    expect(registerCrs(2056, swiss)).toBe('EPSG:2056');
    const [lon, lat] = toWgs84(2056, 2600000, 1200000);
    expect(lon).toBeCloseTo(7.4386, 3); // Bern, the projection's origin (shifted by the datum change)
    expect(lat).toBeCloseTo(46.9511, 3);
  });

  it('maps UTM central meridians and the equator / false northing exactly', () => {
    for (const zone of [1, 17, 33, 60]) {
      const [lon, lat] = toWgs84(32600 + zone, 500000, 0);
      expect(lon).toBeCloseTo(zone * 6 - 183, 9);
      expect(lat).toBeCloseTo(0, 9);
      const [lonS, latS] = toWgs84(32700 + zone, 500000, 10000000);
      expect(lonS).toBeCloseTo(zone * 6 - 183, 9);
      expect(latS).toBeCloseTo(0, 9);
    }
    expect(toWgs84(3035, 4321000, 3210000).map((v) => +v.toFixed(9))).toEqual([10, 52]);
    const [lon, lat] = toWgs84(3857, 20037508.342789244, 0);
    expect(lon).toBeCloseTo(180, 9);
    expect(lat).toBeCloseTo(0, 9);
    expect(toWgs84(4326, 12.5, -40)).toEqual([12.5, -40]);
  });

  it('has definitions only for codes it claims', () => {
    expect(builtinDefinition(32661)).toBeUndefined();
    expect(builtinDefinition(25839)).toBeUndefined();
    expect(builtinDefinition(32633)).toContain('+zone=33');
    expect(builtinDefinition(32733)).toContain('+south');
  });
});

describe('footprint', () => {
  it('takes the 4 corners from the transform, rotation included', async () => {
    const info = await openRaster(join(ZOO, 'rasterio_rotated.tif'));
    const [a, b, c, d, e, f] = info.transform;
    const { polygon, polygon_wgs84, bbox_wgs84, crs_epsg } = footprint(info);
    const at = (col: number, row: number): [number, number] => [a * col + b * row + c, d * col + e * row + f];
    expect(polygon).toEqual([at(0, 0), at(10, 0), at(10, 15), at(0, 15), at(0, 0)]);
    // No CRS: nothing in WGS 84.
    expect([crs_epsg, polygon_wgs84, bbox_wgs84]).toEqual([null, null, null]);
  });

  it('reprojects a UTM raster; corners agree with proj4 and the bbox encloses the curved edges', async () => {
    const info = await openRaster(join(ZOO, 'riotiler_cog.tif'));
    const fp = footprint(info);
    expect(fp.crs_epsg).toBe(32621);
    fp.polygon.forEach(([x, y], i) => expect(fp.polygon_wgs84?.[i]).toEqual(toWgs84(32621, x, y)));
    const [w, s, e, n] = fp.bbox_wgs84 as number[];
    for (const [lon, lat] of fp.polygon_wgs84 ?? []) {
      expect(lon).toBeGreaterThanOrEqual(w);
      expect(lon).toBeLessThanOrEqual(e);
      expect(lat).toBeGreaterThanOrEqual(s);
      expect(lat).toBeLessThanOrEqual(n);
    }
    // 74.6 N: the northern edge bulges north of its corners in lon/lat.
    expect(n).toBeGreaterThan(Math.max(...(fp.polygon_wgs84 ?? []).map((p) => p[1])));
    expect(fp.crosses_antimeridian).toBe(false);
  });

  it('handles a raster across the antimeridian: west > east in the bbox, continuous ring', async () => {
    const info = await openRaster(join(ZOO, 'riotiler_cog_dateline.tif'));
    const fp = footprint(info);
    expect(fp.crosses_antimeridian).toBe(true);
    const [w, , e] = fp.bbox_wgs84 as number[];
    expect(w).toBeGreaterThan(170);
    expect(e).toBeLessThan(-170);
    const lons = (fp.polygon_wgs84 ?? []).map((p) => p[0]);
    expect(Math.max(...lons) - Math.min(...lons)).toBeLessThan(10); // no jump of 360 inside the ring
    expect(lons[1]).toBeGreaterThan(180); // the eastern corners continue past 180
  });

  it('a whole-world raster spans [-180, 180] without crossing', async () => {
    const info = await openRaster(join(ZOO, 'rasterio_world.byte.tif'));
    const fp = footprint(info);
    expect(fp.bbox_wgs84).toEqual([-180, -75, 180, 75]);
    expect(fp.crosses_antimeridian).toBe(false);
  });

  const haveGdal = spawnSync('gdalinfo', ['--version']).status === 0;
  it.skipIf(!haveGdal).each(['riotiler_cog_dateline.tif', 'rasterio_RGB.byte.tif', 'rasterio_shade.tif', 'riotiler_scene_band1.tif'])(
    '%s: WGS 84 corners agree with gdalinfo\'s wgs84Extent to 1e-6 degrees',
    async (name) => {
      const out = spawnSync('gdalinfo', ['-json', join(ZOO, name)], { encoding: 'utf8' });
      const ring = (JSON.parse(out.stdout) as { wgs84Extent: { coordinates: number[][][] } }).wgs84Extent.coordinates[0];
      // gdalinfo orders corners UL, LL, LR, UR; ours UL, UR, LR, LL.
      const gdal = [ring[0], ring[3], ring[2], ring[1]];
      const ours = (footprint(await openRaster(join(ZOO, name))).polygon_wgs84 ?? []).slice(0, 4);
      ours.forEach(([lon, lat], i) => {
        const dlon = ((lon - gdal[i][0] + 540) % 360) - 180;
        expect(Math.abs(dlon)).toBeLessThan(1e-6);
        expect(Math.abs(lat - gdal[i][1])).toBeLessThan(1e-6);
      });
    },
  );
});
