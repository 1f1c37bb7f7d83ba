/**
 * Patch footprints: the four corners of the 10 m grid in the patch's own CRS (from its GeoTIFF transform) and in
 * WGS84. Metadata lon/lat (ben-ge) or stated corners (BigEarthNet JSON) are used only when the rasters carry no
 * usable georeferencing.
 *
 * CRS support is the data layer's own thin proj4 bridge (WGS84, Web Mercator, UTM north/south, ETRS89-LAEA);
 * it is meant to defer to core/geo/crs.ts once that lands.
 */
import proj4 from 'proj4';
import { PATCH_SIZE } from './modalities';
import type { PatchGrid } from './decode-patch';
import type { PatchMeta } from './layouts/types';

export interface Footprint {
  epsg: number | null;
  /** Corners (upper-left, upper-right, lower-right, lower-left) in the patch CRS. */
  corners: [number, number][];
  /** The same corners in WGS84 lon/lat (null when the CRS is unknown to us). */
  cornersWgs84: [number, number][] | null;
  /** [west, south, east, north] in WGS84. */
  bboxWgs84: [number, number, number, number] | null;
  source: 'raster' | 'metadata';
}

function projDef(epsg: number): string | undefined {
  if (epsg === 4326) return 'EPSG:4326';
  if (epsg === 3857 || epsg === 900913) return 'EPSG:3857';
  if (epsg >= 32601 && epsg <= 32660) return `+proj=utm +zone=${epsg - 32600} +datum=WGS84 +units=m +no_defs`;
  if (epsg >= 32701 && epsg <= 32760) return `+proj=utm +zone=${epsg - 32700} +south +datum=WGS84 +units=m +no_defs`;
  if (epsg >= 25828 && epsg <= 25838) return `+proj=utm +zone=${epsg - 25800} +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs`;
  if (epsg === 3035) return '+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs';
  return undefined;
}

/** lon/lat of a point in `epsg`, or null when the CRS is not one we know. */
export function toWgs84(epsg: number, x: number, y: number): [number, number] | null {
  const def = projDef(epsg);
  if (!def) return null;
  if (epsg === 4326) return [x, y];
  const [lon, lat] = proj4(def, 'EPSG:4326', [x, y]);
  return [lon, lat];
}

export function bboxOf(points: [number, number][]): [number, number, number, number] {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const [x, y] of points) {
    w = Math.min(w, x);
    e = Math.max(e, x);
    s = Math.min(s, y);
    n = Math.max(n, y);
  }
  return [w, s, e, n];
}

function withWgs84(epsg: number | null, corners: [number, number][], source: Footprint['source']): Footprint {
  const wgs = epsg === null ? null : corners.map(([x, y]) => toWgs84(epsg, x, y));
  const ok = wgs !== null && wgs.every((p) => p !== null);
  const cornersWgs84 = ok ? (wgs as [number, number][]) : null;
  return { epsg, corners, cornersWgs84, bboxWgs84: cornersWgs84 ? bboxOf(cornersWgs84) : null, source };
}

/** Footprint from the patch grid (raster georeferencing), else from metadata; null when neither exists. */
export function patchFootprint(grid: PatchGrid | null | undefined, meta: PatchMeta): Footprint | null {
  if (grid && grid.epsg !== null) {
    const [a, b, c, d, e, f] = grid.transform;
    const at = (col: number, row: number): [number, number] => [a * col + b * row + c, d * col + e * row + f];
    const S = PATCH_SIZE;
    return withWgs84(grid.epsg, [at(0, 0), at(S, 0), at(S, S), at(0, S)], 'raster');
  }
  if (meta.statedBounds) {
    const [x0, y0, x1, y1] = meta.statedBounds.bounds;
    return withWgs84(meta.statedBounds.epsg, [[x0, y1], [x1, y1], [x1, y0], [x0, y0]], 'metadata');
  }
  if (meta.lon !== undefined && meta.lat !== undefined) {
    // ben-ge gives the centre only: a 1.2 km square around it, in degrees (metres -> degrees at that latitude).
    const half = (PATCH_SIZE * 10) / 2;
    const dLat = half / 111_320;
    const dLon = half / (111_320 * Math.max(Math.cos((meta.lat * Math.PI) / 180), 1e-6));
    const { lon, lat } = meta;
    const corners: [number, number][] = [[lon - dLon, lat + dLat], [lon + dLon, lat + dLat], [lon + dLon, lat - dLat], [lon - dLon, lat - dLat]];
    return withWgs84(4326, corners, 'metadata');
  }
  return null;
}
