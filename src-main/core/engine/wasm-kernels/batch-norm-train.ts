import type { KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { input } from './kernel-calls';
import type { WasmHeapAccess } from './wasm-heap';

/**
 * The two passes batch norm needs in training, as typed-array loops on the wasm heap (the op that uses them is
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

/** Per-channel Σx and Σx² over every position, in float64. */
export function channelSums(x: Float32Array, c: number): { sum: Float64Array; squares: Float64Array } {
  const sum = new Float64Array(c);
  const squares = new Float64Array(c);
  for (let i = 0; i < x.length; i += c) {
    for (let j = 0; j < c; j++) {
      const v = x[i + j];
      sum[j] += v;
      squares[j] += v * v;
    }
  }
  return { sum, squares };
}

function channelMoments(args: { inputs: NamedTensorInfoMap; backend: KernelBackend }): TensorInfo[] {
  const heap = heapOf(args.backend);
  const xInfo = input(args.inputs, 'x');
  const c = channelsOf(xInfo);
  const meanInfo = heap.makeOutput([c], 'float32');
  const varianceInfo = heap.makeOutput([c], 'float32');
  // Views after the last allocation: growing the heap replaces its buffer.
  const x = floats(heap, xInfo, 'x');
  const n = x.length / c;
  const { sum, squares } = channelSums(x, c);
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
  const epsilon = args.attrs.varianceEpsilon as number;
  const dxInfo = heap.makeOutput(xInfo.shape, 'float32');
  const dScaleInfo = heap.makeOutput([c], 'float32');
  const dOffsetInfo = heap.makeOutput([c], 'float32');
  const dy = floats(heap, dyInfo, 'dy');
  const x = floats(heap, xInfo, 'x');
  const mean = floats(heap, input(args.inputs, 'mean'), 'mean');
  const variance = floats(heap, input(args.inputs, 'variance'), 'variance');
  const scale = floats(heap, input(args.inputs, 'scale'), 'scale');
  const n = x.length / c;

  // Pass 1: S1 = Σ dy and Σ dy·x (S2 = Σ dy·x − mean·S1), float64.
  const s1 = new Float64Array(c);
  const sxy = new Float64Array(c);
  for (let i = 0; i < x.length; i += c) {
    for (let j = 0; j < c; j++) {
      const g = dy[i + j];
      s1[j] += g;
      sxy[j] += g * x[i + j];
    }
  }
  // dx = a·dy + k1·x + k0 with per-channel coefficients.
  const a = new Float32Array(c);
  const k1 = new Float32Array(c);
  const k0 = new Float32Array(c);
  const dScale = heap.typedArrayFromHeap(dScaleInfo) as Float32Array;
  const dOffset = heap.typedArrayFromHeap(dOffsetInfo) as Float32Array;
  for (let j = 0; j < c; j++) {
    const r = 1 / Math.sqrt(variance[j] + epsilon);
    const s2 = sxy[j] - mean[j] * s1[j];
    const aj = scale[j] * r;
    const slope = (-aj * r * r * s2) / n;
    a[j] = aj;
    k1[j] = slope;
    k0[j] = (-aj * s1[j]) / n - slope * mean[j];
    dScale[j] = r * s2;
    dOffset[j] = s1[j];
  }
  // Pass 2.
  const dx = heap.typedArrayFromHeap(dxInfo) as Float32Array;
  for (let i = 0; i < x.length; i += c) {
    for (let j = 0; j < c; j++) dx[i + j] = a[j] * dy[i + j] + k1[j] * x[i + j] + k0[j];
  }
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
