import { toWgs84 } from '../data/georef';

/**
 * Patch footprints in WGS84 for GeoJSON (RFC 7946 requires lon/lat), as a polygon densified along the edges (a
 * straight UTM edge is not straight in lon/lat). Projection goes through the data layer's CRS bridge (toWgs84);
 * CRSs it does not know yield undefined and the caller falls back to a point.
 */

export type Transform6 = [number, number, number, number, number, number];

/** The closed outline ring [[lon, lat], ...] of a width x height raster, or undefined for an unknown CRS. */
export function footprintLonLat(epsg: number, t: Transform6, width: number, height: number, perEdge = 4): number[][] | undefined {
  if (toWgs84(epsg, t[2], t[5]) === null) return undefined;
  const toLonLat = (p: number[]): number[] => toWgs84(epsg, p[0], p[1]) as [number, number];
  const pixel = (col: number, row: number): number[] => [t[0] * col + t[1] * row + t[2], t[3] * col + t[4] * row + t[5]];
  const ring: number[][] = [];
  const corners: [number, number][] = [
    [0, 0],
    [width, 0],
    [width, height],
    [0, height],
  ];
  for (let c = 0; c < 4; c++) {
    const [c0, r0] = corners[c];
    const [c1, r1] = corners[(c + 1) % 4];
    for (let k = 0; k < perEdge; k++) {
      const f = k / perEdge;
      ring.push(toLonLat(pixel(c0 + (c1 - c0) * f, r0 + (r1 - r0) * f)));
    }
  }
  ring.push(ring[0]);
  // Counter-clockwise exterior ring (RFC 7946 right-hand rule): the signed area must be positive.
  let area = 0;
  for (let i = 0; i < ring.length - 1; i++) area += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return area < 0 ? ring.reverse() : ring;
}
