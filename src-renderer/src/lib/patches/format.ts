/** Text for the data panel and the inspector. Pure functions: no DOM, no map. */

/** "100,000": grouped with commas, as English-language GIS tools print counts. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en');
}

/** "37.5 %" with one decimal below 10 % and none above. */
export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  if (!Number.isFinite(p)) return '–';
  if (p > 0 && p < 0.1) return '<0.1 %';
  return `${p < 10 ? p.toFixed(1) : p.toFixed(0)} %`;
}

/** A value with a sensible number of digits for its size ("1013.2", "0.042", "-12.3"). */
export function formatValue(v: number | null, unit = ''): string {
  if (v === null || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  const text = a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : a === 0 ? '0' : v.toPrecision(2);
  return unit ? `${text} ${unit}` : text;
}

/** A season value with its meaning: "0.94 (near midsummer)". */
export function formatSeason(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  const where = value >= 0.8 ? 'near midsummer' : value <= 0.2 ? 'near midwinter' : value >= 0.6 ? 'summer side' : value <= 0.4 ? 'winter side' : 'near an equinox';
  return `${value.toFixed(2)} (${where})`;
}

/** A range of the season slider as text: "0.20 – 0.80". */
export function formatRange(range: readonly [number, number]): string {
  return `${range[0].toFixed(2)} – ${range[1].toFixed(2)}`;
}

/** The last part of a path, for titles ("…/data/ben-ge-s" → "ben-ge-s"). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/**
 * Bars of a histogram as an SVG path in a width × height box: one rectangle per bin, heights relative to the largest
 * bin (square-root scaled, so small bins next to one huge one stay visible).
 */
export function histogramPath(counts: readonly number[], width: number, height: number): string {
  const max = Math.max(0, ...counts);
  if (counts.length === 0 || max === 0) return '';
  const w = width / counts.length;
  const parts: string[] = [];
  for (let k = 0; k < counts.length; k++) {
    if (counts[k] <= 0) continue;
    const h = Math.max(0.75, (Math.sqrt(counts[k]) / Math.sqrt(max)) * height);
    const x = k * w;
    parts.push(`M${round(x)} ${round(height)}V${round(height - h)}H${round(x + w)}V${round(height)}Z`);
  }
  return parts.join('');
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
