/**
 * Seeded augmentations for patches on the 120 x 120 grid, applied identically to every spatial modality and mask
 * of a patch: flips and 90-degree rotations (the 8 symmetries of the square), random crop + resize back to the
 * full size, and a gentle gain/offset jitter on spectral (Sentinel-2) values only.
 *
 * Geometry is expressed as a per-axis lookup: output pixel (y, x) reads source pixel index A[y] + B[x] (A, B in
 * pixels, already including the row stride and the axis swap of a transpose). That covers every dihedral transform
 * combined with an axis-aligned crop, costs two table reads per pixel, and works the same for any channel count.
 * Crop + resize is bilinear for images (half-pixel centres, as resample.ts) and nearest for class masks.
 */
import type { Rng } from './rng';

export interface AugmentOptions {
  /** Random dihedral transform (flips and 90-degree rotations). Default true. */
  flipRotate?: boolean;
  /** Probability of a random crop resized back to full size (default 0.5); 0 disables. */
  cropProbability?: number;
  /** Smallest crop side as a fraction of the patch side (default 0.7). */
  cropMinScale?: number;
  /** Gain jitter: multiply spectral values by U[1 - c, 1 + c] (default 0.1); 0 disables. */
  contrast?: number;
  /** Offset jitter: add U[-b, b] in normalised reflectance units (default 0.02); 0 disables. */
  brightness?: number;
}

export const DEFAULT_AUGMENT: Required<AugmentOptions> = {
  flipRotate: true,
  cropProbability: 0.5,
  cropMinScale: 0.7,
  contrast: 0.1,
  brightness: 0.02,
};

/**
 * One patch's augmentation parameters. Geometry: out(y, x) = in(rowSrc, colSrc) where, before cropping,
 * (rowSrc, colSrc) = transpose ? (fx(x), fy(y)) : (fy(y), fx(x)) and fy/fx reverse their axis when flipY/flipX.
 * The crop (side `cropSize` at `cropRow`, `cropCol`, in source pixels) is resized to the full patch.
 */
export interface PatchAugmentation {
  transpose: boolean;
  flipY: boolean;
  flipX: boolean;
  cropRow: number;
  cropCol: number;
  cropSize: number;
  /** Spectral gain and offset: v' = gain * v + offset (on normalised values). */
  gain: number;
  offset: number;
}

export function identityAugmentation(size: number): PatchAugmentation {
  return { transpose: false, flipY: false, flipX: false, cropRow: 0, cropCol: 0, cropSize: size, gain: 1, offset: 0 };
}

/**
 * The dihedral element "rotate k quarter turns counter-clockwise (as numpy's rot90), then flip left-right if
 * `flip`" as geometry flags.
 */
export function dihedral(k: number, flip = false): Pick<PatchAugmentation, 'transpose' | 'flipY' | 'flipX'> {
  // rot90^k: k=1: out(y,x) = in(x, S-1-y); k=2: in(S-1-y, S-1-x); k=3: in(S-1-x, y).
  const r = ((k % 4) + 4) % 4;
  const base = [
    { transpose: false, flipY: false, flipX: false },
    { transpose: true, flipY: true, flipX: false },
    { transpose: false, flipY: true, flipX: true },
    { transpose: true, flipY: false, flipX: true },
  ][r];
  // A left-right flip of the output replaces x by S-1-x.
  return flip ? { ...base, flipX: !base.flipX } : base;
}

/** Draws one patch's augmentation from `rng` (always the same number of draws, so streams stay aligned). */
export function sampleAugmentation(rng: Rng, size: number, options: AugmentOptions = {}): PatchAugmentation {
  const o = { ...DEFAULT_AUGMENT, ...options };
  const t = identityAugmentation(size);
  const d1 = rng.next(), d2 = rng.next(), d3 = rng.next();
  if (o.flipRotate) {
    t.transpose = d1 < 0.5;
    t.flipY = d2 < 0.5;
    t.flipX = d3 < 0.5;
  }
  const pc = rng.next(), ps = rng.next(), pr = rng.next(), pcol = rng.next();
  if (pc < o.cropProbability) {
    const min = Math.max(1, Math.ceil(o.cropMinScale * size));
    t.cropSize = min + Math.floor(ps * (size - min + 1));
    t.cropRow = Math.floor(pr * (size - t.cropSize + 1));
    t.cropCol = Math.floor(pcol * (size - t.cropSize + 1));
  }
  const g = rng.next(), b = rng.next();
  t.gain = 1 + o.contrast * (2 * g - 1);
  t.offset = o.brightness * (2 * b - 1);
  return t;
}

/** Per-axis lookup tables of one augmentation (see module comment). Pixel units; multiply by channels outside. */
export interface Sampling {
  size: number;
  /** Nearest source pixel: A[y] + B[x]. */
  nearA: Int32Array;
  nearB: Int32Array;
  /** Bilinear: neighbours A0/A1 (from y) and B0/B1 (from x), weights of the second neighbour. */
  a0: Int32Array;
  a1: Int32Array;
  wa: Float32Array;
  b0: Int32Array;
  b1: Int32Array;
  wb: Float32Array;
  /** True when no interpolation is needed (no crop): images may use the nearest tables. */
  integer: boolean;
}

/** Fills one axis' tables (see `Sampling`) for an output axis of `size` pixels. */
export function fillAxis(size: number, start: number, length: number, reverse: boolean, stride: number,
  near: Int32Array, i0: Int32Array, i1: Int32Array, w: Float32Array): void {
  const scale = length / size;
  for (let i = 0; i < size; i++) {
    const j = reverse ? size - 1 - i : i;
    // Half-pixel centres: output j of the resized crop sits at source coordinate start + (j + 0.5) * scale - 0.5.
    const u = Math.min(Math.max(start + (j + 0.5) * scale - 0.5, 0), size - 1);
    const f = Math.min(Math.floor(u), size - 1);
    near[i] = Math.min(Math.max(Math.floor(u + 0.5), 0), size - 1) * stride;
    i0[i] = f * stride;
    i1[i] = Math.min(f + 1, size - 1) * stride;
    w[i] = u - f;
  }
}

export function emptySampling(size: number): Sampling {
  const ints = () => new Int32Array(size);
  const floats = () => new Float32Array(size);
  return { size, nearA: ints(), nearB: ints(), a0: ints(), a1: ints(), wa: floats(), b0: ints(), b1: ints(), wb: floats(), integer: true };
}

/** The sampling tables of `t`, written into `into` when given (no allocation: batch assembly reuses one). */
export function samplingOf(t: PatchAugmentation, size: number, into: Sampling = emptySampling(size)): Sampling {
  // Output y drives the source row axis (stride = size) unless transposed, then it drives the column axis.
  fillAxis(size, t.transpose ? t.cropCol : t.cropRow, t.cropSize, t.flipY, t.transpose ? 1 : size, into.nearA, into.a0, into.a1, into.wa);
  fillAxis(size, t.transpose ? t.cropRow : t.cropCol, t.cropSize, t.flipX, t.transpose ? size : 1, into.nearB, into.b0, into.b1, into.wb);
  into.integer = t.cropSize === size && t.cropRow === 0 && t.cropCol === 0;
  return into;
}

type NumericArray = { readonly length: number; [i: number]: number };

/**
 * Applies `sampling` to an image of `channels` interleaved channels (HWC, size x size) from `src` into `dst`
 * (both may be any typed arrays; `dst` must not alias `src`). Bilinear unless the sampling is integer or
 * `nearest` is set (class masks).
 */
export function applySampling(src: NumericArray, dst: NumericArray, channels: number, s: Sampling, nearest = false): void {
  const n = s.size;
  let o = 0;
  if (nearest || s.integer) {
    for (let y = 0; y < n; y++) {
      const a = s.nearA[y];
      for (let x = 0; x < n; x++) {
        const p = (a + s.nearB[x]) * channels;
        for (let c = 0; c < channels; c++) dst[o++] = src[p + c];
      }
    }
    return;
  }
  for (let y = 0; y < n; y++) {
    const a0 = s.a0[y], a1 = s.a1[y], wa = s.wa[y];
    for (let x = 0; x < n; x++) {
      const b0 = s.b0[x], b1 = s.b1[x], wb = s.wb[x];
      const p00 = (a0 + b0) * channels, p01 = (a0 + b1) * channels, p10 = (a1 + b0) * channels, p11 = (a1 + b1) * channels;
      for (let c = 0; c < channels; c++) {
        const top = src[p00 + c] + (src[p01 + c] - src[p00 + c]) * wb;
        const bottom = src[p10 + c] + (src[p11 + c] - src[p10 + c]) * wb;
        dst[o++] = top + (bottom - top) * wa;
      }
    }
  }
}

/** Applies the spectral jitter in place: v' = gain * v + offset. */
export function applyJitter(values: Float32Array, t: PatchAugmentation): void {
  if (t.gain === 1 && t.offset === 0) return;
  for (let i = 0; i < values.length; i++) values[i] = values[i] * t.gain + t.offset;
}
