/**
 * GeoKeys (GeoTIFF 1.1 spec): parsed from the raw GeoKeyDirectory / GeoDoubleParams / GeoAsciiParams tags, then
 * turned into an EPSG code the way GDAL + rasterio's `crs.to_epsg()` do. The rules below were checked one by one
 * against GDAL 3.6 / rasterio 1.3 on crafted files (see test/core/geo/crs-keys.test.ts):
 *   - a ProjectedCSTypeGeoKey / GeographicTypeGeoKey code is taken as is;
 *   - a user-defined (32767) projected CRS is recognised only when it is a UTM zone in metres on a datum with an
 *     EPSG UTM series (WGS 84 -> 326xx/327xx, ETRS89 -> 258xx, NAD83 -> 269xx, NAD27 -> 267xx), given either by
 *     ProjectionGeoKey 16001-16060/16101-16160 or by Transverse Mercator parameters;
 *   - a user-defined geographic CRS is recognised by its datum code alone;
 *   - citations are not used (GDAL makes a LOCAL_CS of a bare citation), other projections are not identified
 *     (rasterio does not identify e.g. LAEA with 3035's parameters either).
 */

export const GeoKey = {
  GTModelType: 1024,
  GTRasterType: 1025,
  GTCitation: 1026,
  GeographicType: 2048,
  GeogCitation: 2049,
  GeogGeodeticDatum: 2050,
  GeogAngularUnits: 2054,
  GeogEllipsoid: 2056,
  ProjectedCSType: 3072,
  PCSCitation: 3073,
  Projection: 3074,
  ProjCoordTrans: 3075,
  ProjLinearUnits: 3076,
  ProjNatOriginLong: 3080,
  ProjNatOriginLat: 3081,
  ProjFalseEasting: 3082,
  ProjFalseNorthing: 3083,
  ProjCenterLong: 3088,
  ProjCenterLat: 3089,
  ProjScaleAtNatOrigin: 3092,
  ProjScaleAtCenter: 3093,
} as const;

const USER_DEFINED = 32767;
const RASTER_PIXEL_IS_POINT = 2;

export type GeoKeyValue = number | number[] | string;
export type GeoKeys = Map<number, GeoKeyValue>;

/** Parses the three GeoTIFF tags into key id -> value. Unknown storage locations are skipped, not fatal. */
export function parseGeoKeys(
  directory: ArrayLike<number> | undefined,
  doubles: ArrayLike<number> | undefined,
  ascii: string | undefined,
): GeoKeys {
  const keys: GeoKeys = new Map();
  if (!directory || directory.length < 4) return keys;
  const n = directory[3];
  for (let i = 0; i < n; i++) {
    const base = 4 + i * 4;
    if (base + 3 >= directory.length) break; // a directory shorter than it claims: keep what is there
    const id = directory[base];
    const location = directory[base + 1];
    const count = directory[base + 2];
    const offset = directory[base + 3];
    if (location === 0) keys.set(id, offset);
    else if (location === 34736 && doubles) {
      const values = Array.from({ length: count }, (_, k) => doubles[offset + k]).filter((v) => v !== undefined);
      keys.set(id, values.length === 1 ? [values[0]] : values);
    } else if (location === 34737 && ascii !== undefined) {
      // Strings end with '|' in GeoAsciiParams; count includes it.
      keys.set(id, ascii.substring(offset, offset + count).replace(/[|\0]+$/, ''));
    } else if (location === 34735) {
      keys.set(id, Array.from({ length: count }, (_, k) => directory[offset + k]));
    }
  }
  return keys;
}

function code(keys: GeoKeys, id: number): number | undefined {
  const v = keys.get(id);
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 1) return v[0];
  return undefined;
}

function param(keys: GeoKeys, id: number): number | undefined {
  const v = keys.get(id);
  if (Array.isArray(v)) return v[0];
  return typeof v === 'number' ? v : undefined;
}

export function isPixelIsPoint(keys: GeoKeys): boolean {
  return code(keys, GeoKey.GTRasterType) === RASTER_PIXEL_IS_POINT;
}

type Datum = 'WGS84' | 'ETRS89' | 'NAD83' | 'NAD27';

const DATUM_BY_GEOGCS: Record<number, Datum> = { 4326: 'WGS84', 4258: 'ETRS89', 4269: 'NAD83', 4267: 'NAD27' };
const DATUM_BY_DATUM: Record<number, Datum> = { 6326: 'WGS84', 6258: 'ETRS89', 6269: 'NAD83', 6267: 'NAD27' };
const GEOGCS_BY_DATUM: Record<Datum, number> = { WGS84: 4326, ETRS89: 4258, NAD83: 4269, NAD27: 4267 };

function datumOf(keys: GeoKeys): Datum | undefined {
  const geog = code(keys, GeoKey.GeographicType);
  if (geog !== undefined && geog !== USER_DEFINED) return DATUM_BY_GEOGCS[geog];
  const datum = code(keys, GeoKey.GeogGeodeticDatum);
  return datum !== undefined ? DATUM_BY_DATUM[datum] : undefined;
}

/** EPSG code of a UTM zone on a datum, when EPSG defines one. */
function utmCode(datum: Datum, zone: number, south: boolean): number | null {
  if (zone < 1 || zone > 60) return null;
  if (datum === 'WGS84') return (south ? 32700 : 32600) + zone;
  if (south) return null;
  if (datum === 'ETRS89') return zone >= 28 && zone <= 38 ? 25800 + zone : null;
  if (datum === 'NAD83') return zone <= 23 ? 26900 + zone : null;
  return zone <= 22 ? 26700 + zone : null;
}

const near = (a: number | undefined, b: number, tol = 1e-9): boolean => a !== undefined && Math.abs(a - b) <= tol;

/** A UTM zone described by ProjectionGeoKey or by Transverse Mercator parameters in metres. */
function utmZone(keys: GeoKeys): { zone: number; south: boolean } | null {
  const units = code(keys, GeoKey.ProjLinearUnits);
  if (units !== undefined && units !== 9001) return null;
  const projection = code(keys, GeoKey.Projection);
  if (projection !== undefined && projection >= 16001 && projection <= 16060) return { zone: projection - 16000, south: false };
  if (projection !== undefined && projection >= 16101 && projection <= 16160) return { zone: projection - 16100, south: true };
  if (code(keys, GeoKey.ProjCoordTrans) !== 1) return null; // CT_TransverseMercator
  const lon0 = param(keys, GeoKey.ProjNatOriginLong) ?? param(keys, GeoKey.ProjCenterLong);
  const lat0 = param(keys, GeoKey.ProjNatOriginLat) ?? param(keys, GeoKey.ProjCenterLat) ?? 0;
  const k0 = param(keys, GeoKey.ProjScaleAtNatOrigin) ?? param(keys, GeoKey.ProjScaleAtCenter);
  const fe = param(keys, GeoKey.ProjFalseEasting);
  const fn = param(keys, GeoKey.ProjFalseNorthing) ?? 0;
  if (lon0 === undefined || !near(k0, 0.9996) || !near(lat0, 0) || !near(fe, 500000, 1e-6)) return null;
  const zone = Math.round((lon0 + 183) / 6);
  if (!near(lon0, zone * 6 - 183)) return null; // a central meridian between zones: not UTM
  if (near(fn, 0, 1e-6)) return { zone, south: false };
  if (near(fn, 10000000, 1e-6)) return { zone, south: true };
  return null;
}

/** The EPSG code GDAL + rasterio report for these GeoKeys, or null. */
export function epsgFromGeoKeys(keys: GeoKeys): number | null {
  if (keys.size === 0) return null;
  const model = code(keys, GeoKey.GTModelType);
  const pcs = code(keys, GeoKey.ProjectedCSType);
  const geog = code(keys, GeoKey.GeographicType);
  const projected = model === 1 || (model === undefined && pcs !== undefined);
  const geographic = model === 2 || (model === undefined && pcs === undefined && geog !== undefined);
  if (projected) {
    if (pcs !== undefined && pcs > 0 && pcs !== USER_DEFINED) return pcs;
    const zone = utmZone(keys);
    const datum = datumOf(keys);
    return zone && datum ? utmCode(datum, zone.zone, zone.south) : null;
  }
  if (geographic) {
    if (geog !== undefined && geog > 0 && geog !== USER_DEFINED) return geog;
    const units = code(keys, GeoKey.GeogAngularUnits);
    if (units !== undefined && units !== 9102) return null;
    const datum = datumOf(keys);
    return datum ? GEOGCS_BY_DATUM[datum] : null;
  }
  return null;
}
