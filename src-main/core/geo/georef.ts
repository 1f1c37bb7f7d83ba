/**
 * The geotransform exactly as GDAL's GTiff driver derives it from the TIFF tags (checked against GDAL 3.6 on
 * crafted files, see test/core/geo/georef.test.ts):
 *   1. ModelPixelScale (both scales non-zero) + a tiepoint wins, even if ModelTransformation is also present.
 *      A negative ScaleY is taken to mean north-up (GDAL's default, contrary to the GeoTIFF spec).
 *      A pixel scale without tiepoint gives no geotransform.
 *   2. Otherwise a 16-value ModelTransformation (other lengths are ignored).
 *   3. Otherwise tiepoints are ground control points: identity transform, and the CRS belongs to the GCPs.
 *   4. With PixelIsPoint the origin moves back by half a pixel along both axes (GTIFF_POINT_GEO_IGNORE=NO).
 * No georeferencing gives GDAL's default [0,1,0,0,0,1], i.e. the identity affine.
 */
import type { GeoTransform, RasterInfo } from './types';

export interface GeorefTags {
  pixelScale?: ArrayLike<number>;
  tiepoints?: ArrayLike<number>;
  transformation?: ArrayLike<number>;
}

export interface Georeferencing {
  transform: GeoTransform;
  source: RasterInfo['georef'];
  gcps: RasterInfo['gcps'];
}

const IDENTITY: GeoTransform = [1, 0, 0, 0, 1, 0];

export function gdalGeoreferencing(tags: GeorefTags, pixelIsPoint: boolean): Georeferencing {
  const { pixelScale: scale, tiepoints: tie, transformation: m } = tags;
  // GDAL's order first: [x0, dx/dcol, dx/drow, y0, dy/dcol, dy/drow].
  let gt: number[] | null = null;
  let source: RasterInfo['georef'] = 'none';
  if (scale && scale.length >= 2 && scale[0] !== 0 && scale[1] !== 0) {
    if (tie && tie.length >= 6) {
      const e = -Math.abs(scale[1]);
      gt = [tie[3] - tie[0] * scale[0], scale[0], 0, tie[4] - tie[1] * e, 0, e];
      source = 'pixelscale';
    }
  } else if (m && m.length === 16) {
    gt = [m[3], m[0], m[1], m[7], m[4], m[5]];
    source = 'transformation';
  }
  if (gt) {
    if (pixelIsPoint) {
      gt[0] -= gt[1] * 0.5 + gt[2] * 0.5;
      gt[3] -= gt[4] * 0.5 + gt[5] * 0.5;
    }
    return { transform: [gt[1], gt[2], gt[0], gt[4], gt[5], gt[3]], source, gcps: [] };
  }
  if (tie && tie.length >= 6 && !(scale && scale.length >= 2 && scale[0] !== 0 && scale[1] !== 0)) {
    const gcps: RasterInfo['gcps'] = [];
    for (let i = 0; i + 5 < tie.length; i += 6) {
      gcps.push({ col: tie[i], row: tie[i + 1], x: tie[i + 3], y: tie[i + 4], z: tie[i + 5] });
    }
    return { transform: [...IDENTITY], source: 'gcps', gcps };
  }
  return { transform: [...IDENTITY], source: 'none', gcps: [] };
}

/** Map coordinates of a pixel-space point (col, row may be fractional; corners are integers). */
export function applyTransform(t: GeoTransform, col: number, row: number): [number, number] {
  return [t[0] * col + t[1] * row + t[2], t[3] * col + t[4] * row + t[5]];
}
