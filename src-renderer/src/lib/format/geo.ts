/** Text for coordinates and scales shown in the status bar. Pure functions: no map, no DOM. */

/** Longitude folded into [-180, 180): a map wrapped around the antimeridian reports e.g. 190° for -170°. */
export function normaliseLon(lon: number): number {
  const wrapped = (((lon + 180) % 360) + 360) % 360 - 180;
  return Object.is(wrapped, -0) ? 0 : wrapped;
}

/** "50.12345° N" / "8.00000° E": hemisphere letters instead of signs, as on printed maps. */
export function formatLat(lat: number, digits = 5): string {
  return `${Math.abs(lat).toFixed(digits)}° ${lat < 0 ? 'S' : 'N'}`;
}

export function formatLon(lon: number, digits = 5): string {
  const l = normaliseLon(lon);
  return `${Math.abs(l).toFixed(digits)}° ${l < 0 ? 'W' : 'E'}`;
}

/** "1:25 000 000" with thin-space thousands groups, rounded to 3 significant digits like a scale on a map sheet. */
export function formatScale(denominator: number): string {
  if (!Number.isFinite(denominator) || denominator <= 0) return '–';
  const magnitude = Math.pow(10, Math.max(0, Math.floor(Math.log10(denominator)) - 2));
  const rounded = Math.round(denominator / magnitude) * magnitude;
  return `1:${rounded.toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009')}`;
}

/** "32N 512 345 E 5 678 901 N": zone, hemisphere and metres, as on a UTM grid reference. */
export function formatUtm(zone: number, south: boolean, easting: number, northing: number): string {
  const group = (v: number) => Math.round(v).toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
  return `${zone}${south ? 'S' : 'N'} ${group(easting)} E ${group(northing)} N`;
}
