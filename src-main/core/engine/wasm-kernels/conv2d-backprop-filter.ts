import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelConfig, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { input, withKernelCalls, type KernelCalls } from './kernel-calls';
import { stridedPick } from './spread';
import { simdLoops } from './simd-loops';
import type { WasmHeapAccess } from './wasm-heap';

/**
 * Gradient of conv2d with respect to its filter, for the wasm backend (which ships none).
 *
 *   dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh − padTop, ow·s + kw − padLeft, ci] · dy[b, oh, ow, co]
 *
 * Two formulations, both on wasm's XNNPACK-backed kernels:
 *  - 1×1 filters: one matrix product xᵀ·dy over the (strided) pixels.
 *  - otherwise: the sum is itself a convolution in which the roles swap: input channels become the batch, the
 *    batch becomes the channels, dy becomes the filter, and the forward stride becomes the dilation:
 *      dWᵀ[ci, kh, kw, co] = conv2d(xᵀ[ci, h, w, b], dyᵀ[oh, ow, b, co], stride 1, dilation s).
 */
export function conv2DBackpropFilter(args: {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const x = input(args.inputs, 'x');
  const dy = input(args.inputs, 'dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return withKernelCalls(args.backend, (k) =>
    info.filterHeight === 1 && info.filterWidth === 1 ? pointwise(k, x, dy, info) : asConvolution(k, x, dy, info),
  );
}

/** 1×1 filter: pick the pixels the stride visits, then one [ci × pixels]·[pixels × co] product. */
function pointwise(k: KernelCalls, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inChannels, outChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  // A 1×1 filter never reads padding (top/left are 0 for 'valid' and for 'same' with k=1).
  const picked = stridedPick(k, x, top, left, outHeight, outWidth, strideHeight, strideWidth);
  const pixels = batchSize * outHeight * outWidth;
  const a = k.reshape(picked, [1, pixels, inChannels]);
  const b = k.reshape(dy, [1, pixels, outChannels]);
  const prod = k.run('BatchMatMul', { a, b }, { transposeA: true, transposeB: false });
  return k.reshape(prod, [1, 1, inChannels, outChannels]);
}

function asConvolution(k: KernelCalls, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { inChannels, outChannels, inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  // Bottom/right padding chosen so the swapped convolution yields at least filterHeight × filterWidth outputs;
  // when the forward pass left input rows unused the result has extra rows, cut off below.
  const bottom = Math.max(0, (filterHeight - 1) + (outHeight - 1) * strideHeight + 1 - inHeight - top);
  const right = Math.max(0, (filterWidth - 1) + (outWidth - 1) * strideWidth + 1 - inWidth - left);
  const xT = swapOuterInner(k, x); // [ci, h, w, b]
  const dyT = batchInside(k, dy); // [oh, ow, b, co]
  const conv = k.run('Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1],
    dilations: [strideHeight, strideWidth],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
  }); // [ci, ≥kh, ≥kw, co]
  const exact =
    conv.shape[1] === filterHeight && conv.shape[2] === filterWidth
      ? conv
      : k.slice(conv, [0, 0, 0, 0], [inChannels, filterHeight, filterWidth, outChannels]);
  return k.transpose(exact, [1, 2, 0, 3]);
}

/**
 * [b, h, w, c] → [c, h, w, b] (the Transpose kernel with perm [3, 1, 2, 0]): per pixel, the [b, c] matrix is
 * transposed by SIMD 4×4 blocks when b and c are multiples of 4; the backend's Transpose walks it element by
 * element on one thread.
 */
function swapOuterInner(k: KernelCalls, x: TensorInfo): TensorInfo {
  const [b, h, w, c] = x.shape;
  const loops = simdLoops(k.backend);
  if (loops === undefined || b % 4 !== 0 || c % 4 !== 0 || x.dtype !== 'float32') return k.transpose(x, [3, 1, 2, 0]);
  const heap = k.backend as unknown as WasmHeapAccess;
  const out = k.adopt(heap.makeOutput([c, h, w, b], 'float32'));
  const src = heap.typedArrayFromHeap(x).byteOffset;
  const dst = heap.typedArrayFromHeap(out).byteOffset;
  const pixels = h * w;
  for (let p = 0; p < pixels; p++) loops.transpose(dst + 4 * p * b, src + 4 * p * c, b, c, 4 * pixels * b, 4 * pixels * c);
  return out;
}

/** [b, h, w, c] → [h, w, b, c] (perm [1, 2, 0, 3]): runs of c values copied by SIMD when c is a multiple of 4. */
function batchInside(k: KernelCalls, x: TensorInfo): TensorInfo {
  const [b, h, w, c] = x.shape;
  const loops = simdLoops(k.backend);
  if (loops === undefined || c % 4 !== 0 || x.dtype !== 'float32') return k.transpose(x, [1, 2, 0, 3]);
  const heap = k.backend as unknown as WasmHeapAccess;
  const out = k.adopt(heap.makeOutput([h, w, b, c], 'float32'));
  const src = heap.typedArrayFromHeap(x).byteOffset;
  const dst = heap.typedArrayFromHeap(out).byteOffset;
  const pixels = h * w;
  for (let n = 0; n < b; n++) loops.copyRows(dst + 4 * n * c, src + 4 * n * pixels * c, pixels, 4 * c, 4 * b * c, 4 * c);
  return out;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
