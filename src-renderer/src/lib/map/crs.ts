import proj4 from 'proj4';
import { register } from 'ol/proj/proj4';
import { get as getProjection } from 'ol/proj';
import type Projection from 'ol/proj/Projection';

/**
 * Coordinate reference systems known to the map. OpenLayers only knows EPSG:4326 and EPSG:3857 by itself; any
 * other CRS (a patch's UTM zone, ETRS89-LAEA, ...) is defined with proj4 and then registered with OpenLayers, after
 * which layers and transforms can use it by name. No network lookups: definitions come with the data (through the
 * contract) or are built here for the WGS 84 UTM zones, which need no table.
 */

/** `+proj=utm` for EPSG:326zz (north) and EPSG:327zz (south), the CRSs of Sentinel-2 tiles. */
export function wgs84UtmDefinition(epsg: number): string | undefined {
  const north = epsg >= 32601 && epsg <= 32660;
  const south = epsg >= 32701 && epsg <= 32760;
  if (!north && !south) return undefined;
  const zone = epsg % 100;
  return `+proj=utm +zone=${zone}${south ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`;
}

/**
 * The OpenLayers projection of `EPSG:<n>`, registering it first when needed. `definition` is a proj4 string for a
 * CRS that is not a WGS 84 UTM zone; without one such a code throws.
 */
export function ensureProjection(code: string, definition?: string): Projection {
  const known = getProjection(code);
  if (known) return known;
  const m = /^EPSG:(\d+)$/i.exec(code);
  const def = definition ?? (m ? wgs84UtmDefinition(Number(m[1])) : undefined);
  if (!def) throw new Error(`no proj4 definition for ${code}`);
  proj4.defs(code, def);
  // register() copies every proj4 definition into OpenLayers (with the transforms between all pairs).
  register(proj4);
  const registered = getProjection(code);
  if (!registered) throw new Error(`OpenLayers did not take ${code}`);
  return registered;
}

export interface UtmPosition {
  zone: number;
  south: boolean;
  /** EPSG:326zz / EPSG:327zz. */
  epsg: number;
  easting: number;
  northing: number;
}

/**
 * The UTM zone a place falls in, with the two exceptions of the grid: south-west Norway (zone 32 widened to 3° E)
 * and Svalbard (zones 31, 33, 35, 37 only).
 */
export function utmZoneOf(lon: number, lat: number): number {
  const l = ((((lon + 180) % 360) + 360) % 360) - 180;
  if (lat >= 56 && lat < 64 && l >= 3 && l < 12) return 32;
  if (lat >= 72 && lat < 84 && l >= 0 && l < 42) {
    if (l < 9) return 31;
    if (l < 21) return 33;
    if (l < 33) return 35;
    return 37;
  }
  return Math.min(60, Math.floor((l + 180) / 6) + 1);
}

/** Lon/lat in the UTM zone they fall in (or in `epsg`, e.g. the zone of the patch under the cursor). */
export function toUtm(lon: number, lat: number, epsg?: number): UtmPosition | null {
  if (lat < -80 || lat > 84) return null; // UTM stops there (UPS covers the poles)
  const code = epsg ?? (lat < 0 ? 32700 : 32600) + utmZoneOf(lon, lat);
  const projection = ensureProjection(`EPSG:${code}`);
  const [easting, northing] = proj4('EPSG:4326', projection.getCode(), [lon, lat]);
  return { zone: code % 100, south: code >= 32700, epsg: code, easting, northing };
}
