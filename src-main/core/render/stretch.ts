/**
 * Contrast stretch: which value range of a band maps onto 0..255. Like QGIS's "cumulative count cut" the
 * percentile mode is computed per band over valid pixels only (NaN and masked pixels excluded), with numpy's
 * linear interpolation between order statistics, so results can be checked against `np.percentile`.
 */
import type { NumericArray } from './bands';

export type Stretch =
  | { mode: 'percentile'; low: number; high: number }
  | { mode: 'minmax' }
  /** Fixed value range in the layer's physical unit; one number for every channel or one per channel. */
  | { mode: 'fixed'; min: number | readonly number[]; max: number | readonly number[] };

export const DEFAULT_PERCENTILE_STRETCH: Stretch = { mode: 'percentile', low: 2, high: 98 };

/** A value range [lo, hi]; null when the band has no valid pixel. */
export type ValueRange = [number, number] | null;

/** The valid values of a band (finite, and mask[i] != 0 when a mask is given), unsorted. */
export function validValues(values: NumericArray, mask?: Uint8Array): Float64Array {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && (!mask || mask[i] !== 0)) out[n++] = v;
  }
  return out.subarray(0, n);
}

/** The valid values of a band, sorted ascending. */
export function sortedValid(values: NumericArray, mask?: Uint8Array): Float64Array {
  return validValues(values, mask).sort();
}

/** numpy.percentile (method 'linear') of sorted values; p in [0, 100]. */
export function percentileOfSorted(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/**
 * Rearranges `a` so that a[k] is the k-th smallest value, smaller ones before it and larger ones after
 * (Hoare's selection with a median-of-three pivot): O(n), where sorting a 14,400-pixel band costs milliseconds.
 */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three into a[mid].
    if (a[mid] < a[lo]) [a[mid], a[lo]] = [a[lo], a[mid]];
    if (a[hi] < a[lo]) [a[hi], a[lo]] = [a[lo], a[hi]];
    if (a[hi] < a[mid]) [a[hi], a[mid]] = [a[mid], a[hi]];
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

/** numpy.percentile (method 'linear') of unsorted values, reordering them in place; p in [0, 100]. */
export function percentileInPlace(values: Float64Array, p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const lo = Math.floor(rank);
  const a = selectKth(values, lo);
  if (lo + 1 >= n || rank === lo) return a;
  // The next order statistic is the smallest value after position lo (selection left everything there larger).
  let b = Infinity;
  for (let i = lo + 1; i < n; i++) if (values[i] < b) b = values[i];
  return a + (b - a) * (rank - lo);
}

function channelValue(v: number | readonly number[], channel: number, what: string): number {
  if (typeof v === 'number') return v;
  const x = v[channel];
  if (x === undefined) throw new RangeError(`fixed stretch: no ${what} for channel ${channel}`);
  return x;
}

/** The value range a stretch selects for one band (`channel` picks the per-channel value of a fixed stretch). */
export function stretchRange(values: NumericArray, stretch: Stretch, mask?: Uint8Array, channel = 0): ValueRange {
  if (stretch.mode === 'fixed') {
    const lo = channelValue(stretch.min, channel, 'min');
    const hi = channelValue(stretch.max, channel, 'max');
    if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi <= lo) throw new RangeError(`fixed stretch needs min < max, got ${lo}..${hi}`);
    return [lo, hi];
  }
  if (stretch.mode === 'minmax') {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v) || (mask && mask[i] === 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return lo <= hi ? [lo, hi] : null;
  }
  const { low, high } = stretch;
  if (!(low >= 0 && high <= 100 && low < high)) throw new RangeError(`percentile stretch needs 0 <= low < high <= 100, got ${low}..${high}`);
  const valid = validValues(values, mask);
  if (valid.length === 0) return null;
  return [percentileInPlace(valid, low), percentileInPlace(valid, high)];
}

/**
 * Maps a value to 0..255 through [lo, hi] (clamped). A band whose range collapsed to one value (a flat DEM, a
 * constant band) maps to mid-grey rather than dividing by zero.
 */
export function scaleToByte(v: number, lo: number, hi: number): number {
  if (!(hi > lo)) return 128;
  const t = (v - lo) / (hi - lo);
  return t <= 0 ? 0 : t >= 1 ? 255 : Math.round(t * 255);
}

/** 0..1 position of a value in [lo, hi] (clamped); 0.5 for a collapsed range. */
export function scaleToUnit(v: number, lo: number, hi: number): number {
  if (!(hi > lo)) return 0.5;
  const t = (v - lo) / (hi - lo);
  return t <= 0 ? 0 : t >= 1 ? 1 : t;
}
