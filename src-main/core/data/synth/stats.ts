import type { Rng } from '../rng';

/** Small numeric helpers shared by the synthetic generator. */

/** Standard deviation of fBm value noise (noise.ts, gain 0.5) by octave count, measured over many samples. */
const FBM_SIGMA = [0.46, 0.46, 0.34, 0.3, 0.28, 0.272, 0.267, 0.265, 0.264];

export function fbmSigma(octaves: number): number {
  return FBM_SIGMA[Math.min(octaves, FBM_SIGMA.length - 1)];
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Tabulated standard normal CDF on [-6, 6] (the hot loops call it per pixel; exp() is the cost). */
const CDF_RANGE = 6;
const CDF_STEPS = 4096;
const CDF_TABLE = (() => {
  const t = new Float64Array(CDF_STEPS + 1);
  for (let k = 0; k <= CDF_STEPS; k++) t[k] = normalCdf(-CDF_RANGE + (2 * CDF_RANGE * k) / CDF_STEPS);
  return t;
})();

/** Map fBm noise to an approximately uniform [0, 1] value, so that thresholds are area fractions. */
export function fbmToUniform(v: number, octaves: number): number {
  const f = ((v / fbmSigma(octaves) + CDF_RANGE) * CDF_STEPS) / (2 * CDF_RANGE);
  if (f <= 0) return 0;
  if (f >= CDF_STEPS) return 1;
  const k = Math.floor(f);
  return CDF_TABLE[k] + (CDF_TABLE[k + 1] - CDF_TABLE[k]) * (f - k);
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function smoothstep(e0: number, e1: number, x: number): number {
  const t = clamp((x - e0) / (e1 - e0), 0, 1);
  return t * t * (3 - 2 * t);
}

/** Result slots of `segmentDistance` (written instead of returning a tuple: it runs in the innermost loops). */
export const SEG = { d: 0, t: 0 };

/** Distance from (px, py) to segment (ax, ay)-(bx, by) into SEG.d, and the parameter in [0, 1] of the nearest point into SEG.t. */
export function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): void {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = ax + t * dx - px, ey = ay + t * dy - py;
  SEG.d = Math.sqrt(ex * ex + ey * ey);
  SEG.t = t;
}

/** Inverse standard normal CDF by bisection on normalCdf (table building, not hot loops). */
export function probit(p: number): number {
  let lo = -9, hi = 9;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Quantile tables for sensor noise: a uniform draw picks one of 4096 equiprobable quantiles. One rng call per
 * sample instead of a Box–Muller pair or four logarithms; the distribution is exact at 1/4096 resolution, which
 * is far below what radiometric noise and speckle statistics need.
 */
const TABLE_SIZE = 4096;
export const NORMAL_TABLE: Float64Array = (() => {
  const t = new Float64Array(TABLE_SIZE);
  for (let k = 0; k < TABLE_SIZE; k++) t[k] = probit((k + 0.5) / TABLE_SIZE);
  return t;
})();

/** Gamma(4, 1/4) quantiles (mean 1): the intensity of 4-look SAR speckle. */
export const SPECKLE_TABLE: Float64Array = (() => {
  // CDF of Gamma(k=4, theta=1/4): 1 - exp(-4x) * sum_{i<4} (4x)^i / i!
  const cdf = (x: number): number => {
    const y = 4 * x;
    return 1 - Math.exp(-y) * (1 + y + (y * y) / 2 + (y * y * y) / 6);
  };
  const t = new Float64Array(TABLE_SIZE);
  for (let k = 0; k < TABLE_SIZE; k++) {
    const p = (k + 0.5) / TABLE_SIZE;
    let lo = 0, hi = 20;
    for (let it = 0; it < 60; it++) {
      const mid = (lo + hi) / 2;
      if (cdf(mid) < p) lo = mid;
      else hi = mid;
    }
    t[k] = (lo + hi) / 2;
  }
  return t;
})();

/** The same speckle in decibels (10 log10 of the intensity factor), for models that work in dB. */
export const SPECKLE_DB_TABLE: Float64Array = SPECKLE_TABLE.map((v) => 10 * Math.log10(v));

/**
 * Per-sample noise indices for the quantile tables: xorshift32 seeded from a project Rng. Sensor noise needs
 * ~100,000 draws per patch; this keeps them to a few integer operations each (and stays seeded).
 */
export class SampleNoise {
  private x: number;

  constructor(rng: Rng) {
    this.x = (Math.floor(rng.next() * 4294967296) | 0) || 0x9e3779b9;
  }

  /** A uniform index 0..4095 (the top 12 bits of the generator state). */
  index(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x;
    return x >>> 20;
  }
}

/**
 * Reusable scratch arrays for temporaries of the per-patch pipeline (noise fields, intermediate reflectances).
 * Synthesis is synchronous, so one buffer per name is safe as long as it never escapes the call that fills it;
 * reusing them keeps the garbage collector out of the hot path (a patch needs ~40 such 120 x 120 fields).
 */
const f32Pool = new Map<string, Float32Array>();
const u8Pool = new Map<string, Uint8Array>();

export function scratchF32(name: string, length: number): Float32Array {
  let a = f32Pool.get(name);
  if (!a || a.length !== length) {
    a = new Float32Array(length);
    f32Pool.set(name, a);
  }
  return a;
}

export function scratchU8(name: string, length: number): Uint8Array {
  let a = u8Pool.get(name);
  if (!a || a.length !== length) {
    a = new Uint8Array(length);
    u8Pool.set(name, a);
  }
  return a;
}
