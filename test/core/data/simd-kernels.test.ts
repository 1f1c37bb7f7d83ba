import { afterEach, describe, expect, it } from 'vitest';
import { applySampling, dihedral, identityAugmentation, samplingOf, type PatchAugmentation, type Sampling } from '../../../src-main/core/data/augment';
import {
  setSimdKernels, writeMask, writeMaskJs, writeS1, writeS1Js, writeS2, writeS2Js,
} from '../../../src-main/core/data/assemble';
import { buildKernelModule, instantiateKernels, kernelLayout, kernelModule, scratchBytes, simdMask, simdS1, simdS2 } from '../../../src-main/core/data/simd-kernels';
import { createRng } from '../../../src-main/core/data/rng';

const S = 120;
const P = S * S;

/** Two records back to back, the tested one second (so `base` is not 0). */
function records<T extends Uint16Array | Int16Array | Uint8Array>(make: (n: number) => T, channels: number, value: () => number): T {
  const a = make(2 * P * channels);
  for (let i = 0; i < a.length; i++) a[i] = value();
  return a;
}

/** The straightforward reference: generic sampling (augment.ts) in float64, then the affine map. */
function reference(src: ArrayLike<number>, base: number, channels: number, s: Sampling, k: number, m: number, nearest = false): Float64Array {
  const rec = Float64Array.from({ length: P * channels }, (_, i) => src[base + i]);
  const out = new Float64Array(P * channels);
  applySampling(rec, out, channels, s, nearest);
  for (let i = 0; i < out.length; i++) out[i] = out[i] * k + m;
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** All 8 dihedral transforms, each without and with a crop (a different crop per transform). */
function geometries(): { name: string; t: PatchAugmentation }[] {
  const rng = createRng('simd-kernel-crops');
  const out: { name: string; t: PatchAugmentation }[] = [];
  for (let k = 0; k < 4; k++) {
    for (const flip of [false, true]) {
      const d = dihedral(k, flip);
      out.push({ name: `rot${k}${flip ? '+flip' : ''}`, t: { ...identityAugmentation(S), ...d } });
      const size = 84 + Math.floor(rng.next() * 36);
      const crop = { cropSize: size, cropRow: Math.floor(rng.next() * (S - size + 1)), cropCol: Math.floor(rng.next() * (S - size + 1)) };
      out.push({ name: `rot${k}${flip ? '+flip' : ''} crop ${size}@${crop.cropRow},${crop.cropCol}`, t: { ...identityAugmentation(S), ...d, ...crop } });
    }
  }
  return out;
}

const rng = createRng('simd-kernel-data');
// Full stored ranges, extremes included: S2 DN 0..10000, S1 dB*100 -2500..0, classes 0..10 and 255 (ignore).
const s2 = records((n) => new Uint16Array(n), 12, () => (rng.next() < 0.01 ? (rng.next() < 0.5 ? 0 : 10000) : Math.floor(rng.next() * 10001)));
const s1 = records((n) => new Int16Array(n), 2, () => -Math.floor(rng.next() * 2501));
const wc = records((n) => new Uint8Array(n), 1, () => (rng.next() < 0.05 ? 255 : Math.floor(rng.next() * 11)));
const K = (() => {
  const module = kernelModule(S);
  return module ? instantiateKernels(module, kernelLayout(S)) : null;
})();
// Affine maps as the dataset uses them: S2 with gain/offset jitter, S1 (dB*100 + 2500) / 2500.
const K2 = 1e-4 * 1.07, M2 = -0.013, K1 = 1 / 2500, M1 = 1;
// float32 rounding of values in about [0, 1.1]: a few ulps.
const TOL = 1e-6;

afterEach(() => setSimdKernels(true));

describe('WebAssembly kernel module', () => {
  it('is valid WebAssembly (with SIMD) for the patch size and other even sizes', () => {
    expect(WebAssembly.validate(buildKernelModule(S))).toBe(true);
    expect(WebAssembly.validate(buildKernelModule(16))).toBe(true);
    expect(() => buildKernelModule(15)).toThrow(/even/);
    // Node 20 has WebAssembly SIMD: the fast path is really taken here.
    expect(K).not.toBeNull();
  });
});

describe('batch kernels equal the reference sampling (all 8 dihedral transforms, with and without crop)', () => {
  for (const { name, t } of geometries()) {
    it(name, () => {
      const s = samplingOf(t, S);
      const cropped = t.cropSize < S;
      expect(s.integer).toBe(!cropped);

      // Sentinel-2: 12 channels, bilinear when cropped.
      const want2 = reference(s2, P * 12, 12, s, K2, M2);
      const js2 = new Float32Array(P * 12 + 7);
      writeS2Js(s2, P * 12, S, s, K2, M2, js2, 7); // an output offset too
      expect(maxAbsDiff(js2.subarray(7), want2)).toBeLessThan(TOL);
      const w2 = new Float32Array(P * 12);
      simdS2(K!, s2, P * 12, s, K2, M2, w2, 0);
      expect(maxAbsDiff(w2, want2)).toBeLessThan(TOL);

      // Sentinel-1: 2 channels.
      const want1 = reference(s1, P * 2, 2, s, K1, M1);
      const js1 = new Float32Array(P * 2);
      writeS1Js(s1, P * 2, S, s, K1, M1, js1, 0);
      expect(maxAbsDiff(js1, want1)).toBeLessThan(TOL);
      const w1 = new Float32Array(P * 2 + 2);
      simdS1(K!, s1, P * 2, s, K1, M1, w1, 2);
      expect(maxAbsDiff(w1.subarray(2), want1)).toBeLessThan(TOL);

      // Class mask: 1 channel, always nearest (also when cropped), ignore code 255 -> -100. Exact.
      const wantM = Int32Array.from(reference(wc, P, 1, s, 1, 0, true), (c) => (c === 255 ? -100 : c));
      const jsM = new Int32Array(P);
      writeMaskJs(wc, P, S, s, 255, -100, jsM, 0);
      expect(Array.from(jsM)).toEqual(Array.from(wantM));
      const wM = new Int32Array(P);
      simdMask(K!, wc, P, s, 255, -100, wM, 0);
      expect(Array.from(wM)).toEqual(Array.from(wantM));
    });
  }
});

describe('kernels on a shared memory', () => {
  it('write straight into arrays of that memory what they write through OUT into any array', () => {
    // Two threads' regions (the second one used here), then the outputs.
    const region = Math.ceil(scratchBytes(S) / 64) * 64;
    const pages = Math.ceil((2 * region + P * 12 * 4 + P * 2 * 4 + P * 4) / 65536);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const module = new WebAssembly.Module(buildKernelModule(S, { base: region, shared: { maximum: pages } }));
    const D = instantiateKernels(module, kernelLayout(S, region), memory);
    const o2 = new Float32Array(memory.buffer, 2 * region, P * 12);
    const o1 = new Float32Array(memory.buffer, 2 * region + P * 48, P * 2);
    const om = new Int32Array(memory.buffer, 2 * region + P * 56, P);
    for (const { t } of geometries().filter((_, k) => k % 3 === 0)) {
      const s = samplingOf(t, S);
      simdS2(D, s2, 0, s, K2, M2, o2, 0, true);
      simdS1(D, s1, 0, s, K1, M1, o1, 0, true);
      simdMask(D, wc, 0, s, 255, -100, om, 0, true);
      const w2 = new Float32Array(P * 12), w1 = new Float32Array(P * 2), wm = new Int32Array(P);
      simdS2(K!, s2, 0, s, K2, M2, w2, 0);
      simdS1(K!, s1, 0, s, K1, M1, w1, 0);
      simdMask(K!, wc, 0, s, 255, -100, wm, 0);
      expect(maxAbsDiff(o2, w2)).toBe(0);
      expect(maxAbsDiff(o1, w1)).toBe(0);
      expect(Array.from(om)).toEqual(Array.from(wm));
      // Nothing written below the thread's region (the first thread's region stays untouched).
      expect(new Uint8Array(memory.buffer, 0, region).every((b) => b === 0)).toBe(true);
    }
  });
});

describe('kernel dispatch', () => {
  it('writeS2/writeS1/writeMask use the SIMD kernels, or the JavaScript ones when switched off', () => {
    const t: PatchAugmentation = { ...identityAugmentation(S), ...dihedral(3, true), cropRow: 5, cropCol: 11, cropSize: 97 };
    const s = samplingOf(t, S);
    const run = () => {
      const o2 = new Float32Array(P * 12), o1 = new Float32Array(P * 2), om = new Int32Array(P);
      writeS2(s2, 0, S, s, K2, M2, o2, 0);
      writeS1(s1, 0, S, s, K1, M1, o1, 0);
      writeMask(wc, 0, S, s, 255, -100, om, 0);
      return { o2, o1, om };
    };
    const fast = run();
    const simd2 = new Float32Array(P * 12);
    simdS2(K!, s2, 0, s, K2, M2, simd2, 0);
    expect(maxAbsDiff(fast.o2, simd2)).toBe(0);
    setSimdKernels(false);
    const slow = run();
    const js2 = new Float32Array(P * 12);
    writeS2Js(s2, 0, S, s, K2, M2, js2, 0);
    expect(maxAbsDiff(slow.o2, js2)).toBe(0);
    // Both agree with each other to float32 rounding, masks exactly.
    expect(maxAbsDiff(fast.o2, slow.o2)).toBeLessThan(TOL);
    expect(maxAbsDiff(fast.o1, slow.o1)).toBeLessThan(TOL);
    expect(Array.from(fast.om)).toEqual(Array.from(slow.om));
  });
});
