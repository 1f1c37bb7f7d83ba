/**
 * The map view in the address: `#map=zoom/lat/lon` (the convention of openstreetmap.org), so a reload (the Electron
 * window reloads when the security policy changes) or a copied link opens the same place. Pure text functions.
 */

export interface HashView {
  /** lon, lat in degrees. */
  center: [number, number];
  zoom: number;
}

export function formatViewHash(view: HashView): string {
  const [lon, lat] = view.center;
  return `#map=${view.zoom.toFixed(2)}/${lat.toFixed(5)}/${lon.toFixed(5)}`;
}

/** The view in a location hash, or null when there is none or it is malformed or out of range. */
export function parseViewHash(hash: string): HashView | null {
  const m = /(?:^#|&)map=(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)(?:&|$)/.exec(hash);
  if (!m) return null;
  const zoom = Number(m[1]);
  const lat = Number(m[2]);
  const lon = Number(m[3]);
  if (!(zoom >= 0 && zoom <= 24) || !(Math.abs(lat) <= 85.06) || !(Math.abs(lon) <= 180)) return null;
  return { center: [lon, lat], zoom };
}
