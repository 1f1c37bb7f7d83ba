/**
 * Coordinate reference systems for patches and the map: proj4 definitions built in for the CRSs Earth-observation
 * patches come in (WGS 84, Web Mercator, every WGS 84 UTM zone north and south, ETRS89 UTM 28-38 and LAEA Europe,
 * NAD83 / NAD27 UTM), reprojection to WGS 84, and raster footprints.
 *
 * Datum shifts are Helmert (towgs84) only: no grid files exist offline, so NAD27 is ~5 m off at worst here, which
 * is far below a pixel of the patches this is for. ETRS89 and NAD83 are taken as WGS 84 (sub-metre).
 */
import proj4 from 'proj4';
import { applyTransform } from './georef';
import type { RasterInfo } from './types';

export class CrsError extends Error {
  constructor(readonly epsg: number | null, message: string) {
    super(message);
    this.name = 'CrsError';
  }
}

const UTM = (zone: number, south: boolean, datum: string): string =>
  `+proj=utm +zone=${zone}${south ? ' +south' : ''} ${datum} +units=m +no_defs`;
const WGS84 = '+datum=WGS84';
const GRS80_WGS84 = '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0';
// EPSG transformation 1173 (NAD27 to WGS 84, CONUS mean).
const NAD27 = '+ellps=clrk66 +towgs84=-8,160,176,0,0,0,0';

/** The proj4 definition of a built-in EPSG code, or undefined. */
export function builtinDefinition(epsg: number): string | undefined {
  if (epsg === 4326) return '+proj=longlat +datum=WGS84 +no_defs';
  if (epsg === 4258 || epsg === 4269) return `+proj=longlat ${GRS80_WGS84} +no_defs`;
  if (epsg === 4267) return `+proj=longlat ${NAD27} +no_defs`;
  if (epsg === 3857) {
    return '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs';
  }
  if (epsg === 3035) return `+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 ${GRS80_WGS84} +units=m +no_defs`;
  if (epsg >= 32601 && epsg <= 32660) return UTM(epsg - 32600, false, WGS84);
  if (epsg >= 32701 && epsg <= 32760) return UTM(epsg - 32700, true, WGS84);
  if (epsg >= 25828 && epsg <= 25838) return UTM(epsg - 25800, false, GRS80_WGS84);
  if (epsg >= 26901 && epsg <= 26923) return UTM(epsg - 26900, false, GRS80_WGS84);
  if (epsg >= 26701 && epsg <= 26722) return UTM(epsg - 26700, false, NAD27);
  return undefined;
}

/**
 * Makes `EPSG:<code>` known to proj4 (the global instance, which OpenLayers' ol/proj/proj4 `register` reads) and
 * returns that name. `definition` adds a CRS that is not built in.
 */
export function registerCrs(epsg: number, definition?: string): string {
  const name = `EPSG:${epsg}`;
  const def = definition ?? builtinDefinition(epsg);
  if (def) {
    proj4.defs(name, def);
    return name;
  }
  if (proj4.defs(name)) return name; // registered earlier by a caller
  throw new CrsError(epsg, `EPSG:${epsg} has no built-in proj4 definition (pass one to registerCrs)`);
}

/** Converts (x, y) in EPSG:<epsg> to [lon, lat] in WGS 84 degrees. */
export function toWgs84(epsg: number, x: number, y: number): [number, number] {
  const name = registerCrs(epsg);
  if (epsg === 4326) return [x, y];
  const [lon, lat] = proj4(name, 'EPSG:4326', [x, y]);
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
    throw new CrsError(epsg, `(${x}, ${y}) in EPSG:${epsg} has no WGS 84 equivalent`);
  }
  return [lon, lat];
}

export interface Footprint {
  crs_epsg: number | null;
  /** Closed ring of the 4 corners in the raster's own CRS: top-left, top-right, bottom-right, bottom-left, top-left. */
  polygon: [number, number][];
  /**
   * The same corners in WGS 84 [lon, lat]. Longitudes are continuous along the ring, so a raster that crosses the
   * antimeridian has some beyond ±180 (e.g. 178 .. 181.5), which maps draw correctly; null without a CRS.
   */
  polygon_wgs84: [number, number][] | null;
  /** [west, south, east, north]; west > east when the raster crosses the antimeridian (RFC 7946, 5.2). */
  bbox_wgs84: [number, number, number, number] | null;
  crosses_antimeridian: boolean;
}

/** Points per edge when measuring the WGS 84 extent: edges of a projected raster are curves in lon/lat. */
const EDGE_STEPS = 16;

/** Longitude into [-180, 180), untouched (bit for bit) when it is already there. */
const wrapLon = (lon: number): number => (lon >= -180 && lon < 180 ? lon : ((((lon + 180) % 360) + 360) % 360) - 180);

/** The footprint of a raster from its geotransform (rotation and shear honoured). */
export function footprint(info: Pick<RasterInfo, 'width' | 'height' | 'transform' | 'crs_epsg'>): Footprint {
  const { width: w, height: h, transform: t, crs_epsg: epsg } = info;
  const corners: [number, number][] = [[0, 0], [w, 0], [w, h], [0, h]];
  const polygon = [...corners, corners[0]].map(([c, r]) => applyTransform(t, c, r));
  if (epsg === null) return { crs_epsg: null, polygon, polygon_wgs84: null, bbox_wgs84: null, crosses_antimeridian: false };

  // Walk the boundary densely, unwrapping longitude jumps so that the ring stays continuous.
  const ring: [number, number][] = [];
  for (let k = 0; k < 4; k++) {
    const [c0, r0] = corners[k];
    const [c1, r1] = corners[(k + 1) % 4];
    for (let s = 0; s < EDGE_STEPS; s++) {
      const f = s / EDGE_STEPS;
      const [x, y] = applyTransform(t, c0 + (c1 - c0) * f, r0 + (r1 - r0) * f);
      const [lon, lat] = toWgs84(epsg, x, y);
      const prev = ring.length ? ring[ring.length - 1][0] : lon;
      ring.push([lon + 360 * Math.round((prev - lon) / 360), lat]);
    }
  }
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  const south = Math.min(...lats);
  const north = Math.max(...lats);
  const west = Math.min(...lons);
  const east = Math.max(...lons);
  // Shift the ring so that its first corner lies in [-180, 180).
  const ringShift = wrapLon(ring[0][0]) - ring[0][0];
  const polygon_wgs84 = [0, 1, 2, 3, 0].map((k): [number, number] => [ring[k * EDGE_STEPS][0] + ringShift, ring[k * EDGE_STEPS][1]]);
  if (east - west >= 360) {
    return { crs_epsg: epsg, polygon, polygon_wgs84, bbox_wgs84: [-180, south, 180, north], crosses_antimeridian: false };
  }
  // With west moved into [-180, 180), an east beyond 180 means the extent crosses the antimeridian.
  const shift = wrapLon(west) - west;
  const crosses = east + shift > 180;
  const bbox: [number, number, number, number] = [west + shift, south, crosses ? east + shift - 360 : east + shift, north];
  return { crs_epsg: epsg, polygon, polygon_wgs84, bbox_wgs84: bbox, crosses_antimeridian: crosses };
}
