/**
 * Normalisation as in the ben-ge tutorial:
 *   Sentinel-2: clip(DN / 10000, 0, 1)
 *   Sentinel-1: (clip(dB, -25, 0) + 25) / 25        (nodata/NaN -> 0, "no signal")
 *   DEM, ERA-5: (x - mean) / std with statistics of the training split, stored with the run (`NormalisationStats`
 *               is plain JSON) and reused unchanged at inference.
 * Each rule is an affine map plus a clamp per channel, so batch assembly can fuse it with the augmentation.
 */
import { ERA5_VARIABLES } from './modalities';

export interface ChannelAffine {
  /** v = clamp(stored * scale + shift, lo, hi) */
  scale: number;
  shift: number;
  lo: number;
  hi: number;
}

export interface NormalisationStats {
  version: 1;
  dem: { mean: number; std: number };
  era5: { mean: number[]; std: number[]; variables: string[] };
  /** How they were computed, for the run record. */
  source: { split: string; patches: number };
}

export const S2_SCALE = 1 / 10000;
export const S1_DB_MIN = -25;
export const S1_DB_MAX = 0;

/** Physical value -> normalised, single values (reference implementation; batch assembly fuses the same maps). */
export function normaliseS2(dn: number): number {
  return Math.min(Math.max(dn * S2_SCALE, 0), 1);
}

export function normaliseS1(db: number): number {
  if (db !== db) return 0;
  return (Math.min(Math.max(db, S1_DB_MIN), S1_DB_MAX) - S1_DB_MIN) / (S1_DB_MAX - S1_DB_MIN);
}

export function standardise(x: number, mean: number, std: number): number {
  return (x - mean) / std;
}

/** Default statistics (identity) for data without a training split yet. */
export function identityStats(): NormalisationStats {
  return {
    version: 1,
    dem: { mean: 0, std: 1 },
    era5: { mean: ERA5_VARIABLES.map(() => 0), std: ERA5_VARIABLES.map(() => 1), variables: [...ERA5_VARIABLES] },
    source: { split: 'none', patches: 0 },
  };
}

/** Running mean/variance (Welford, in float64) for computing statistics without holding the values. */
export class RunningStats {
  n = 0;
  private mean = 0;
  private m2 = 0;

  add(x: number): void {
    if (x !== x) return;
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }

  /** Adds many values (a typed array), faster than `add` per value: a chunk's own mean and M2, then merged. */
  addAll(values: ArrayLike<number>): void {
    let n = 0, sum = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === v) {
        sum += v;
        n++;
      }
    }
    if (n === 0) return;
    const m = sum / n;
    let m2 = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === v) m2 += (v - m) * (v - m);
    }
    const total = this.n + n;
    const delta = m - this.mean;
    this.m2 += m2 + (delta * delta * this.n * n) / total;
    this.mean += (delta * n) / total;
    this.n = total;
  }

  result(): { mean: number; std: number } {
    if (this.n === 0) return { mean: 0, std: 1 };
    const std = Math.sqrt(this.m2 / this.n);
    // A constant variable (e.g. one pressure level everywhere) must not divide by zero.
    return { mean: this.mean, std: std > 1e-6 ? std : 1 };
  }
}

/** Validates statistics read back from a run record. */
export function parseNormalisationStats(value: unknown): NormalisationStats {
  const v = value as Partial<NormalisationStats> | null;
  const ok = v !== null && typeof v === 'object' && v.version === 1
    && typeof v.dem?.mean === 'number' && typeof v.dem?.std === 'number' && v.dem.std > 0
    && Array.isArray(v.era5?.mean) && Array.isArray(v.era5?.std)
    && v.era5.mean.length === ERA5_VARIABLES.length && v.era5.std.length === ERA5_VARIABLES.length
    && v.era5.std.every((s) => typeof s === 'number' && s > 0);
  if (!ok) throw new Error('invalid normalisation statistics (expected version 1 with dem {mean,std} and 9 ERA-5 means/stds)');
  return v as NormalisationStats;
}
