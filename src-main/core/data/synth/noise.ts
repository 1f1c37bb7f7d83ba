/**
 * Smooth noise defined in world coordinates (metres), so that neighbouring patches of one tile line up seamlessly:
 * a pixel's value depends only on the dataset seed, the field's name and the pixel's map position, never on which
 * patch is being drawn. Value noise on a hashed integer lattice with quintic interpolation, summed over octaves.
 *
 * `noiseGrid` fills a whole patch grid at once and exploits separability: lattice indices and interpolation weights
 * are computed once per column and once per row, and lattice values once per octave for the few cells a patch
 * touches, so an octave costs a handful of multiply-adds per pixel. `noiseAt` is the scalar version with exactly the
 * same formula (used for tile-level features such as river levels and town sites).
 */

/** A 32-bit hash of a string (seed names). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix(h);
}

/** Avalanche mix of one 32-bit word. */
export function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Hash of a seed and two integer lattice coordinates, as a float in [0, 1). */
export function hash01(seed: number, ix: number, iy: number): number {
  return mix(seed ^ Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy ^ 0x5bd1e995, 0x165667b1)) / 4294967296;
}

/** Hash of a seed and three integers (e.g. cell x, cell y, attribute index), as a float in [0, 1). */
export function hash3(seed: number, a: number, b: number, c: number): number {
  return mix(mix(seed ^ Math.imul(a, 0x27d4eb2d)) ^ Math.imul(b, 0x165667b1) ^ Math.imul(c, 0x9e3779b1)) / 4294967296;
}

function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

export interface NoiseSpec {
  /** Seed of this field (hash of dataset seed + field name). */
  seed: number;
  /** Wavelength of the first (coarsest) octave in metres. */
  wavelength: number;
  octaves: number;
  /** Amplitude ratio between successive octaves (default 0.5; pass it always: one object shape keeps call sites monomorphic). */
  gain?: number;
}

/** Sum of amplitudes, to normalise fBm into about [-1, 1]. */
function totalAmplitude(octaves: number, gain: number): number {
  let a = 1, s = 0;
  for (let o = 0; o < octaves; o++) {
    s += a;
    a *= gain;
  }
  return s;
}

/** fBm value noise at one world point, in about [-1, 1]. */
export function noiseAt(spec: NoiseSpec, x: number, y: number): number {
  const gain = spec.gain ?? 0.5;
  let amp = 1, lambda = spec.wavelength, sum = 0;
  for (let o = 0; o < spec.octaves; o++) {
    const seed = mix(spec.seed + o * 0x9e3779b9);
    const gx = x / lambda, gy = y / lambda;
    const ix = Math.floor(gx), iy = Math.floor(gy);
    const fx = fade(gx - ix), fy = fade(gy - iy);
    const v00 = hash01(seed, ix, iy), v10 = hash01(seed, ix + 1, iy);
    const v01 = hash01(seed, ix, iy + 1), v11 = hash01(seed, ix + 1, iy + 1);
    const a = v00 + (v10 - v00) * fx;
    const b = v01 + (v11 - v01) * fx;
    sum += amp * ((a + (b - a) * fy) * 2 - 1);
    amp *= gain;
    lambda /= 2;
  }
  return sum / totalAmplitude(spec.octaves, gain);
}

/**
 * Fill `out` (n x n, row-major, row 0 at the top) with fBm noise in about [-1, 1] sampled at pixel centres:
 * pixel (i, j) is at world (x0 + i*step, y0 - j*step). With `add`, the noise is added to `out` (times `scale`).
 */
export function noiseGrid(out: Float32Array, n: number, x0: number, y0: number, step: number, spec: NoiseSpec, scale = 1, add = false): void {
  if (!add) out.fill(0);
  const gain = spec.gain ?? 0.5;
  const norm = scale / totalAmplitude(spec.octaves, gain);
  const ixs = new Int32Array(n), fxs = new Float64Array(n);
  const iys = new Int32Array(n), fys = new Float64Array(n);
  let amp = 1, lambda = spec.wavelength;
  for (let o = 0; o < spec.octaves; o++) {
    const seed = mix(spec.seed + o * 0x9e3779b9);
    let ixMin = Infinity, ixMax = -Infinity, iyMin = Infinity, iyMax = -Infinity;
    for (let k = 0; k < n; k++) {
      const gx = (x0 + k * step) / lambda;
      const ix = Math.floor(gx);
      ixs[k] = ix;
      fxs[k] = fade(gx - ix);
      if (ix < ixMin) ixMin = ix;
      if (ix > ixMax) ixMax = ix;
      const gy = (y0 - k * step) / lambda;
      const iy = Math.floor(gy);
      iys[k] = iy;
      fys[k] = fade(gy - iy);
      if (iy < iyMin) iyMin = iy;
      if (iy > iyMax) iyMax = iy;
    }
    // Lattice values of the cells this patch touches, interpolated along x first (one pass per lattice row),
    // so that each pixel only needs one interpolation along y.
    const w = ixMax - ixMin + 2, h = iyMax - iyMin + 2;
    const rows = new Float64Array(h * n);
    const lat = new Float64Array(w);
    for (let b = 0; b < h; b++) {
      for (let a = 0; a < w; a++) lat[a] = hash01(seed, ixMin + a, iyMin + b) * 2 - 1;
      const r = b * n;
      for (let i = 0; i < n; i++) {
        const c = ixs[i] - ixMin;
        const v0 = lat[c];
        rows[r + i] = v0 + (lat[c + 1] - v0) * fxs[i];
      }
    }
    const s = amp * norm;
    for (let j = 0; j < n; j++) {
      const r0 = (iys[j] - iyMin) * n, r1 = r0 + n;
      const fy = fys[j];
      const row = j * n;
      for (let i = 0; i < n; i++) {
        const a = rows[r0 + i];
        out[row + i] += s * (a + (rows[r1 + i] - a) * fy);
      }
    }
    amp *= gain;
    lambda /= 2;
  }
}

/** Separable box blur with radius r (window 2r+1), clamped at the edges; in place. */
export function boxBlur(data: Float32Array, n: number, r: number): void {
  if (r <= 0) return;
  const line = new Float64Array(n);
  const win = 2 * r + 1;
  for (let pass = 0; pass < 2; pass++) {
    // Pass 0 runs along rows (stride 1), pass 1 along columns (stride n).
    const stride = pass === 0 ? 1 : n;
    const step = pass === 0 ? n : 1;
    for (let l = 0; l < n; l++) {
      const base = l * step;
      for (let k = 0; k < n; k++) line[k] = data[base + k * stride];
      let acc = 0;
      for (let k = -r; k <= r; k++) acc += line[k < 0 ? 0 : k >= n ? n - 1 : k];
      for (let k = 0; k < n; k++) {
        data[base + k * stride] = acc / win;
        const add = k + r + 1, sub = k - r;
        acc += line[add >= n ? n - 1 : add] - line[sub < 0 ? 0 : sub];
      }
    }
  }
}

/** Area-average an n x n grid by an integer factor (the sensor integrating over a coarser pixel). */
export function downsample(src: Float32Array, n: number, factor: number): Float32Array {
  if (factor === 1) return src;
  const m = n / factor;
  const out = new Float32Array(m * m);
  const inv = 1 / (factor * factor);
  for (let J = 0; J < m; J++) {
    for (let I = 0; I < m; I++) {
      let s = 0;
      for (let dj = 0; dj < factor; dj++) {
        const row = (J * factor + dj) * n + I * factor;
        for (let di = 0; di < factor; di++) s += src[row + di];
      }
      out[J * m + I] = s * inv;
    }
  }
  return out;
}
