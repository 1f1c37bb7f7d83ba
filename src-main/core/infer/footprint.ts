import proj4 from 'proj4';

/**
 * Patch footprints in WGS84 for GeoJSON (RFC 7946 requires lon/lat). The patch grid is given by its EPSG code and
 * GDAL geotransform; the outline is densified (a few points per edge) because a straight UTM edge is not straight
 * in lon/lat. Only CRSs proj4 knows offline are handled: WGS84, Web Mercator and UTM on WGS84 (326xx north, 327xx
 * south), which cover Sentinel-2 patch grids; anything else yields undefined and the caller falls back to a point.
 */

export type Transform6 = [number, number, number, number, number, number];

function projDef(epsg: number): string | undefined {
  if (epsg === 4326) return 'EPSG:4326';
  if (epsg === 3857) return 'EPSG:3857';
  if (epsg >= 32601 && epsg <= 32660) return `+proj=utm +zone=${epsg - 32600} +datum=WGS84 +units=m +no_defs`;
  if (epsg >= 32701 && epsg <= 32760) return `+proj=utm +zone=${epsg - 32700} +south +datum=WGS84 +units=m +no_defs`;
  return undefined;
}

/** The closed outline ring [[lon, lat], ...] of a width x height raster, or undefined for an unknown CRS. */
export function footprintLonLat(epsg: number, t: Transform6, width: number, height: number, perEdge = 4): number[][] | undefined {
  const def = projDef(epsg);
  if (def === undefined) return undefined;
  const toLonLat = epsg === 4326 ? (p: number[]) => p : (p: number[]) => proj4(def, 'EPSG:4326', p);
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
