import { transform } from 'ol/proj';
import { ensureProjection } from '../crs';

/**
 * Where a patch really lies, as a polygon in the map's projection. Patches are squares in their own CRS (a
 * ben-ge / BigEarthNet patch is 120 × 10 m in the UTM zone of its Sentinel-2 tile); in Web Mercator that square is
 * slightly rotated and stretched, so the four corners are transformed one by one rather than the centre plus a
 * size. Meant for the patches layer at close zoom (points stand in for patches further out).
 */

/** [minX, minY, maxX, maxY] in the patch's own CRS, metres for UTM. */
export type Bounds = readonly [number, number, number, number];

/**
 * The closed ring (5 points: top-left, top-right, bottom-right, bottom-left, top-left) of `bounds` given in
 * `crs` (e.g. 'EPSG:32632'; other than WGS 84 UTM zones, pass the proj4 `definition`), in `viewProjection`.
 */
export function footprintRing(bounds: Bounds, crs: string, viewProjection: string, definition?: string): number[][] {
  ensureProjection(crs, definition);
  const [minX, minY, maxX, maxY] = bounds;
  const corners = [
    [minX, maxY],
    [maxX, maxY],
    [maxX, minY],
    [minX, minY],
  ];
  const ring = corners.map((c) => transform(c, crs, viewProjection));
  ring.push([...ring[0]]);
  return ring;
}

/**
 * The bounds of a square patch of `sizeM` metres centred on a lon/lat, in the UTM zone `epsg` (the zone of its
 * Sentinel-2 tile, which is not always the zone the centre falls in). For indexes that carry only the centre.
 */
export function squareBoundsAround(lon: number, lat: number, sizeM: number, epsg: number): Bounds {
  const crs = `EPSG:${epsg}`;
  ensureProjection(crs);
  const [x, y] = transform([lon, lat], 'EPSG:4326', crs);
  const h = sizeM / 2;
  return [x - h, y - h, x + h, y + h];
}
