/**
 * Where a lon/lat must appear on screen for a Web Mercator view (EPSG:3857) given its centre and zoom, computed
 * here from the projection's formulas rather than asked from the page, so the test checks the map independently.
 */

const EARTH_RADIUS = 6378137;
/** Metres per pixel at zoom 0 with 256-pixel tiles. */
const RESOLUTION_Z0 = (2 * Math.PI * EARTH_RADIUS) / 256;

export function mercator(lon: number, lat: number): [number, number] {
  const x = (EARTH_RADIUS * lon * Math.PI) / 180;
  const y = EARTH_RADIUS * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  return [x, y];
}

export interface ScreenView {
  center: readonly [number, number];
  zoom: number;
  /** The map element's box in page pixels. */
  box: { x: number; y: number; width: number; height: number };
}

export function screenPixel(view: ScreenView, lon: number, lat: number): [number, number] {
  const resolution = RESOLUTION_Z0 / Math.pow(2, view.zoom);
  const [cx, cy] = mercator(view.center[0], view.center[1]);
  const [px, py] = mercator(lon, lat);
  return [view.box.x + view.box.width / 2 + (px - cx) / resolution, view.box.y + view.box.height / 2 - (py - cy) / resolution];
}
