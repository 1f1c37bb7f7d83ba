/**
 * Patch footprints: the corners of the 10 m grid in the patch's own CRS (from its GeoTIFF transform) and in WGS84,
 * computed by core/geo's `footprint` (proj4, built-in UTM and common EPSG definitions, edges densified so the WGS84
 * extent is exact for projected patches). Metadata is only a fallback: BigEarthNet JSON corners, then ben-ge's
 * centre lon/lat (a 1.2 km square around it).
 */
import { CrsError, footprint as rasterFootprint, toWgs84 as geoToWgs84 } from '../geo/crs';
import type { GeoTransform } from '../geo/types';
import { PATCH_SIZE, PIXEL_SIZE_M } from './modalities';
import type { PatchGrid } from './decode-patch';
import type { PatchMeta } from './layouts/types';

export interface Footprint {
  epsg: number | null;
  /** Corners (upper-left, upper-right, lower-right, lower-left) in the patch CRS. */
  corners: [number, number][];
  /** The same corners in WGS84 lon/lat (null when the CRS is unknown). */
  cornersWgs84: [number, number][] | null;
  /** [west, south, east, north] in WGS84. */
  bboxWgs84: [number, number, number, number] | null;
  source: 'raster' | 'metadata';
}

/** lon/lat of a point in `epsg`, or null when the CRS has no built-in definition. */
export function toWgs84(epsg: number, x: number, y: number): [number, number] | null {
  try {
    return geoToWgs84(epsg, x, y);
  } catch (err) {
    if (err instanceof CrsError) return null;
    throw err;
  }
}

function fromTransform(epsg: number, transform: GeoTransform, source: Footprint['source']): Footprint {
  const info = { width: PATCH_SIZE, height: PATCH_SIZE, transform, crs_epsg: epsg };
  try {
    const f = rasterFootprint(info);
    return { epsg, corners: f.polygon.slice(0, 4), cornersWgs84: f.polygon_wgs84?.slice(0, 4) ?? null, bboxWgs84: f.bbox_wgs84, source };
  } catch (err) {
    if (!(err instanceof CrsError)) throw err;
    const f = rasterFootprint({ ...info, crs_epsg: null });
    return { epsg, corners: f.polygon.slice(0, 4), cornersWgs84: null, bboxWgs84: null, source };
  }
}

/** Footprint from the patch grid (raster georeferencing), else from metadata; null when neither exists. */
export function patchFootprint(grid: PatchGrid | null | undefined, meta: PatchMeta): Footprint | null {
  if (grid && grid.epsg !== null) return fromTransform(grid.epsg, grid.transform, 'raster');
  if (meta.statedBounds) {
    const [x0, y0, x1, y1] = meta.statedBounds.bounds;
    return fromTransform(meta.statedBounds.epsg, [(x1 - x0) / PATCH_SIZE, 0, x0, 0, -(y1 - y0) / PATCH_SIZE, y1], 'metadata');
  }
  if (meta.lon !== undefined && meta.lat !== undefined) {
    // Degrees per metre at that latitude (spherical approximation; metadata fallback only).
    const half = (PATCH_SIZE * PIXEL_SIZE_M) / 2;
    const dLat = half / 111_320;
    const dLon = half / (111_320 * Math.max(Math.cos((meta.lat * Math.PI) / 180), 1e-6));
    return fromTransform(4326, [(2 * dLon) / PATCH_SIZE, 0, meta.lon - dLon, 0, -(2 * dLat) / PATCH_SIZE, meta.lat + dLat], 'metadata');
  }
  return null;
}
