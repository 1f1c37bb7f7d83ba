/**
 * Per-band histograms for the patch inspector: equal-width bins between the band's valid minimum and maximum
 * (numpy.histogram's convention: the last bin includes its right edge), NaN and masked pixels counted apart.
 */
import type { NumericArray } from './bands';

export interface Histogram {
  /** Smallest and largest valid value; null when no pixel is valid. */
  min: number | null;
  max: number | null;
  /** Number of bins (counts.length). */
  bins: number;
  counts: number[];
  /** Pixels counted (finite and unmasked). */
  valid: number;
  /** Pixels left out (not finite, or masked). */
  invalid: number;
  mean: number | null;
}

export function histogram(values: NumericArray, bins: number, mask?: Uint8Array): Histogram {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  let min = Infinity;
  let max = -Infinity;
  let valid = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || (mask && mask[i] === 0)) continue;
    valid++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Array<number>(bins).fill(0);
  if (valid === 0) return { min: null, max: null, bins, counts, valid: 0, invalid: values.length, mean: null };
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || (mask && mask[i] === 0)) continue;
    // A constant band (width 0) puts everything into the first bin, as numpy does with range (v - 0.5, v + 0.5).
    let k = width > 0 ? Math.floor((v - min) / width) : 0;
    if (k >= bins) k = bins - 1;
    counts[k]++;
  }
  return { min, max, bins, counts, valid, invalid: values.length - valid, mean: sum / valid };
}
