/**
 * Where the workspace opens before any dataset is loaded: Europe, where ben-ge's patches lie. Plain data so that
 * tests can compute where a place must appear on screen without reaching into the page.
 */
export const INITIAL_VIEW = {
  /** lon, lat in degrees (EPSG:4326). */
  center: [12, 50] as const,
  /** OpenLayers zoom level in EPSG:3857 (256-pixel tiles: zoom 0 shows the world in 256 pixels). */
  zoom: 4,
} as const;

