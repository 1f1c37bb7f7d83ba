import type { KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { input } from './kernel-calls';
import { heapBuffer, simdLoops, withScratch, type SimdLoops } from './simd-loops';
import type { WasmHeapAccess } from './wasm-heap';

/**
 * The two passes batch norm needs in training, working in place on the wasm heap (the op that uses them is
 * batch-norm-train.ts). tfjs composes the same maths from ~15 full-size kernels per layer (moments: Mean, Sub,
 * Square, Mean; the gradient of each of those, with ones-tensors, divisions and broadcasts), and the wasm
 * backend's reductions over the leading axes first transpose the whole activation. Here:
 *
 *  - TerrafuseChannelMoments: per-channel mean and (biased) variance of x [..., C] in ONE read of x, summing in
 *    float64 (so E[x²] − E[x]² loses nothing that matters for float32 data);
 *  - TerrafuseBatchNormGrad: dx, dscale, doffset of y = (x − mean)·scale/√(var + ε) + offset with mean and var
 *    the batch statistics of x, in one reduction pass over (dy, x) and one elementwise pass:
 *        r = 1/√(var + ε), a = scale·r, S1 = Σ dy, S2 = Σ dy·(x − mean), N values per channel
 *        dx = a·(dy − S1/N − (x − mean)·r²·S2/N)      dscale = r·S2      doffset = S1
 *    (the textbook result of differentiating through the statistics; the tests check it against tfjs' own
 *    derivative of moments + batchNorm on the cpu backend).
 *
 * Both run as WebAssembly SIMD loops (simd-loops.ts) when the channel count is a multiple of 4, else as
 * JavaScript loops with the same arithmetic (float64 sums).
 */

type Heap = KernelBackend & WasmHeapAccess;

function heapOf(backend: KernelBackend): Heap {
  const heap = backend as Partial<WasmHeapAccess>;
  if (typeof heap.makeOutput !== 'function' || typeof heap.typedArrayFromHeap !== 'function') {
    throw new Error('batch-norm kernels need the wasm backend');
  }
  return backend as Heap;
}

function floats(heap: Heap, t: TensorInfo, name: string): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`${name} must be float32, got ${t.dtype}`);
  return heap.typedArrayFromHeap(t) as Float32Array;
}

function channelsOf(x: TensorInfo): number {
  if (x.shape.length < 2) throw new Error(`batch norm expects at least [n, c], got [${x.shape.join(', ')}]`);
  return x.shape[x.shape.length - 1];
}

/** The SIMD loops when they apply to c channels on this backend. */
function simdFor(backend: KernelBackend, c: number): SimdLoops | undefined {
  return c % 4 === 0 ? simdLoops(backend) : undefined;
}

/** Rows per block of the SIMD sums: a block of x (and dy) stays within ~16 KiB, in L1. */
function blockRows(c: number): number {
  return Math.max(1, Math.floor(4096 / c));
}

/**
 * Per-channel float64 sums over the rows of one or two [rows, c] float32 arrays on the heap:
 * (x) → [Σx, Σx²]; (dy, x) → [Σdy, Σdy·x].
 */
function channelSums(backend: KernelBackend, c: number, u: TensorInfo, v?: TensorInfo): [Float64Array, Float64Array] {
  const heap = heapOf(backend);
  const loops = simdFor(backend, c);
  if (loops === undefined) {
    const a = floats(heap, u, 'x');
    const b = v === undefined ? a : floats(heap, v, 'x');
    const first = new Float64Array(c);
    const second = new Float64Array(c);
    for (let i = 0; i < a.length; i += c) {
      for (let j = 0; j < c; j++) {
        const g = a[i + j];
        first[j] += g;
        second[j] += g * b[i + j];
      }
    }
    return [first, second];
  }
  const rows = u.shape.reduce((p, d) => p * d, 1) / c;
  return withScratch(backend, 16 * c, (out) => {
    new Float64Array(heapBuffer(backend), out, 2 * c).fill(0);
    const uAt = heap.typedArrayFromHeap(u).byteOffset;
    const vAt = v === undefined ? 0 : heap.typedArrayFromHeap(v).byteOffset;
    const step = blockRows(c);
    const rowBytes = 4 * c;
    for (let r = 0; r < rows; r += step) {
      const n = Math.min(step, rows - r);
      if (v === undefined) loops.channelSums(uAt + r * rowBytes, n, c, out, out + 8 * c);
      else loops.gradSums(uAt + r * rowBytes, vAt + r * rowBytes, n, c, out, out + 8 * c);
    }
    const all = new Float64Array(heapBuffer(backend), out, 2 * c);
    return [all.slice(0, c), all.slice(c)];
  });
}

/**
 * Per-channel affine maps over [rows, c] float32 arrays on the heap, centred first for precision:
 *   two inputs: out = a·u + b·(v − m) + d;   one input: out = a·(u − m) + d.
 */
export function channelAffine(
  backend: KernelBackend,
  out: TensorInfo,
  coefficients: { a: Float32Array; m: Float32Array; d: Float32Array; b?: Float32Array },
  u: TensorInfo,
  v?: TensorInfo,
): void {
  const heap = heapOf(backend);
  const { a, m, d, b } = coefficients;
  const c = a.length;
  const loops = simdFor(backend, c);
  if (loops === undefined) {
    const o = floats(heap, out, 'out');
    const x = floats(heap, u, 'u');
    const y = v === undefined ? undefined : floats(heap, v, 'v');
    for (let i = 0; i < x.length; i += c) {
      if (y === undefined || b === undefined) for (let j = 0; j < c; j++) o[i + j] = a[j] * (x[i + j] - m[j]) + d[j];
      else for (let j = 0; j < c; j++) o[i + j] = a[j] * x[i + j] + b[j] * (y[i + j] - m[j]) + d[j];
    }
    return;
  }
  const rows = u.shape.reduce((p, s) => p * s, 1) / c;
  withScratch(backend, 16 * c, (at) => {
    const vectors = new Float32Array(heapBuffer(backend), at, 4 * c);
    vectors.set(a, 0);
    vectors.set(b ?? a, c);
    vectors.set(m, 2 * c);
    vectors.set(d, 3 * c);
    const [aAt, bAt, mAt, dAt] = [at, at + 4 * c, at + 8 * c, at + 12 * c];
    const outAt = heap.typedArrayFromHeap(out).byteOffset;
    const uAt = heap.typedArrayFromHeap(u).byteOffset;
    if (v === undefined || b === undefined) loops.normalize(outAt, uAt, mAt, aAt, dAt, rows, c);
    else loops.affine3(outAt, uAt, heap.typedArrayFromHeap(v).byteOffset, aAt, bAt, mAt, dAt, rows, c);
  });
}

function channelMoments(args: { inputs: NamedTensorInfoMap; backend: KernelBackend }): TensorInfo[] {
  const heap = heapOf(args.backend);
  const xInfo = input(args.inputs, 'x');
  floats(heap, xInfo, 'x');
  const c = channelsOf(xInfo);
  const n = xInfo.shape.reduce((p, d) => p * d, 1) / c;
  const [sum, squares] = channelSums(args.backend, c, xInfo);
  const meanInfo = heap.makeOutput([c], 'float32');
  const varianceInfo = heap.makeOutput([c], 'float32');
  const mean = heap.typedArrayFromHeap(meanInfo) as Float32Array;
  const variance = heap.typedArrayFromHeap(varianceInfo) as Float32Array;
  for (let j = 0; j < c; j++) {
    const m = sum[j] / n;
    mean[j] = m;
    variance[j] = Math.max(0, squares[j] / n - m * m);
  }
  return [meanInfo, varianceInfo];
}

function batchNormGrad(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs: NamedAttrMap }): TensorInfo[] {
  const heap = heapOf(args.backend);
  const dyInfo = input(args.inputs, 'dy');
  const xInfo = input(args.inputs, 'x');
  const c = channelsOf(xInfo);
  if (dyInfo.shape.join() !== xInfo.shape.join()) throw new Error(`dy [${dyInfo.shape}] and x [${xInfo.shape}] differ`);
  floats(heap, dyInfo, 'dy');
  floats(heap, xInfo, 'x');
  const epsilon = args.attrs.varianceEpsilon as number;
  const mean = floats(heap, input(args.inputs, 'mean'), 'mean').slice();
  const variance = floats(heap, input(args.inputs, 'variance'), 'variance').slice();
  const scale = floats(heap, input(args.inputs, 'scale'), 'scale').slice();
  const n = xInfo.shape.reduce((p, d) => p * d, 1) / c;

  // Pass 1: S1 = Σ dy and Σ dy·x (S2 = Σ dy·x − mean·S1), float64.
  const [s1, sxy] = channelSums(args.backend, c, dyInfo, xInfo);
  // dx = a·dy + k1·(x − mean) + k0 with per-channel coefficients.
  const a = new Float32Array(c);
  const k1 = new Float32Array(c);
  const k0 = new Float32Array(c);
  const dScale = new Float32Array(c);
  const dOffset = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const r = 1 / Math.sqrt(variance[j] + epsilon);
    const s2 = sxy[j] - mean[j] * s1[j];
    const aj = scale[j] * r;
    const slope = (-aj * r * r * s2) / n;
    a[j] = aj;
    k1[j] = slope;
    k0[j] = (-aj * s1[j]) / n;
    dScale[j] = r * s2;
    dOffset[j] = s1[j];
  }
  // Pass 2.
  const dxInfo = heap.makeOutput(xInfo.shape, 'float32');
  channelAffine(args.backend, dxInfo, { a, b: k1, m: mean, d: k0 }, dyInfo, xInfo);
  const dScaleInfo = heap.makeOutput([c], 'float32');
  (heap.typedArrayFromHeap(dScaleInfo) as Float32Array).set(dScale);
  const dOffsetInfo = heap.makeOutput([c], 'float32');
  (heap.typedArrayFromHeap(dOffsetInfo) as Float32Array).set(dOffset);
  return [dxInfo, dScaleInfo, dOffsetInfo];
}

export const CHANNEL_MOMENTS = 'TerrafuseChannelMoments';
export const BATCH_NORM_GRAD = 'TerrafuseBatchNormGrad';

export const channelMomentsConfig: KernelConfig = {
  kernelName: CHANNEL_MOMENTS,
  backendName: 'wasm',
  kernelFunc: channelMoments as unknown as KernelConfig['kernelFunc'],
};

export const batchNormGradConfig: KernelConfig = {
  kernelName: BATCH_NORM_GRAD,
  backendName: 'wasm',
  kernelFunc: batchNormGrad as unknown as KernelConfig['kernelFunc'],
};

/**
 * FusedBatchNorm for wasm (batch norm with given statistics: inference, and the forward pass of training): one
 * SIMD pass y = (x − mean)·scale/√(var + ε) + offset when every statistic is a per-channel vector, instead of the
 * backend's scalar loop. Other shapes go to the backend's kernel.
 */
export function makeFusedBatchNormConfig(original: KernelConfig): KernelConfig {
  const fallback = original.kernelFunc;
  const kernelFunc = (args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs: NamedAttrMap }): TensorInfo => {
    const x = input(args.inputs, 'x');
    const c = x.shape[x.shape.length - 1];
    const { mean, variance, offset, scale } = args.inputs;
    const perChannel = [mean, variance, offset, scale].every(
      (t) => t === undefined || (t.dtype === 'float32' && t.shape.reduce((p, d) => p * d, 1) === c),
    );
    if (x.dtype !== 'float32' || x.shape.length < 2 || mean === undefined || variance === undefined || !perChannel) {
      return fallback(args as unknown as Parameters<KernelConfig['kernelFunc']>[0]) as TensorInfo;
    }
    const heap = heapOf(args.backend);
    const epsilon = args.attrs.varianceEpsilon as number;
    const m = floats(heap, mean, 'mean').slice();
    const v = floats(heap, variance, 'variance');
    const g = scale === undefined ? undefined : floats(heap, scale, 'scale');
    const o = offset === undefined ? undefined : floats(heap, offset, 'offset');
    const a = new Float32Array(c);
    const d = new Float32Array(c);
    for (let j = 0; j < c; j++) {
      a[j] = (g === undefined ? 1 : g[j]) / Math.sqrt(v[j] + epsilon);
      d[j] = o === undefined ? 0 : o[j];
    }
    const out = heap.makeOutput(x.shape, 'float32');
    channelAffine(args.backend, out, { a, m, d }, x);
    return out;
  };
  return { kernelName: original.kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}
