import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, MaxPoolGradAttrs, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { input } from './kernel-calls';
import { heapBuffer, simdLoops, withScratch } from './simd-loops';
import type { WasmHeapAccess } from './wasm-heap';

/**
 * MaxPoolGrad for wasm, replacing the backend's own. tfjs-backend-wasm 4.22's MaxPoolGrad and MaxPoolWithArgmax
 * start their running maximum at FLT_MIN (the smallest *positive* float) instead of −∞, so every window whose
 * maximum is ≤ 0 loses its gradient (pooling before an activation, after BN, or over all-zero ReLU output).
 * With both wasm kernels wrong, this is a typed-array implementation working in place on the wasm heap (no copies
 * of x, dy or dx through JavaScript arrays). It goes one output row at a time and, for each window tap in order,
 * sweeps the whole row (width × channels, contiguous) keeping the running maximum and its position per output
 * value, so the inner loops are long and branch-light; the first maximum wins on ties, as on the cpu backend and
 * in TensorFlow. Cost: one read of each window tap, one scattered add per output.
 *
 * With SIMD (channels a multiple of 4, no dilation) the same first-maximum rule runs as WebAssembly loops, tap
 * by tap over a row of output pixels: the winner of a window is the first tap equal to the pooled maximum (the
 * forward output, an input of this kernel), tracked by a per-value "done" mask. A window whose maximum is NaN
 * then passes no gradient (the scalar path gives it to the first tap); such a step has a NaN loss anyway.
 */
export function maxPoolGrad(args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs: MaxPoolGradAttrs }): TensorInfo {
  const dyInfo = input(args.inputs, 'dy');
  const xInfo = input(args.inputs, 'input');
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs;
  const info = backend_util.computePool2DInfo(xInfo.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  if (info.outShape.some((d, i) => d !== dyInfo.shape[i])) {
    throw new Error(`MaxPoolGrad: dy shape ${dyInfo.shape} does not match the pooled shape ${info.outShape}`);
  }
  const maybeHeap = args.backend as unknown as Partial<WasmHeapAccess>;
  if (typeof maybeHeap.makeOutput !== 'function' || typeof maybeHeap.typedArrayFromHeap !== 'function') {
    throw new Error('MaxPoolGrad: needs the wasm backend');
  }
  const heap = maybeHeap as WasmHeapAccess;
  const dxInfo = heap.makeOutput(xInfo.shape, 'float32');
  const loops = c % 4 === 0 && dilationHeight === 1 && dilationWidth === 1 ? simdLoops(args.backend) : undefined;
  if (loops !== undefined) {
    const yInfo = input(args.inputs, 'output');
    withScratch(args.backend, 4 * outWidth * c, (done) => {
      const dx = heap.typedArrayFromHeap(dxInfo) as Float32Array;
      dx.fill(0);
      const doneView = new Int32Array(heapBuffer(args.backend), done, outWidth * c);
      const [dxAt, xAt, yAt, dyAt] = [dxInfo, xInfo, yInfo, dyInfo].map((t) => heap.typedArrayFromHeap(t).byteOffset);
      const pixel = 4 * c;
      for (let b = 0; b < batchSize; b++) {
        for (let oh = 0; oh < outHeight; oh++) {
          doneView.fill(0);
          const outRow = ((b * outHeight + oh) * outWidth) * pixel;
          for (let kh = 0; kh < fh; kh++) {
            const r = oh * strideHeight - top + kh;
            if (r < 0 || r >= inHeight) continue;
            for (let kw = 0; kw < fw; kw++) {
              // Output columns whose tap kw lies inside the input: 0 ≤ ow·sw − left + kw < inWidth.
              const first = Math.max(0, Math.ceil((left - kw) / strideWidth));
              const last = Math.min(outWidth - 1, Math.floor((inWidth - 1 + left - kw) / strideWidth));
              if (last < first) continue;
              const col = first * strideWidth - left + kw;
              const xByte = ((b * inHeight + r) * inWidth + col) * pixel;
              loops.maxPoolTap(dxAt + xByte, xAt + xByte, yAt + outRow + first * pixel, dyAt + outRow + first * pixel, done + first * pixel, last - first + 1, c, strideWidth * pixel);
            }
          }
        }
      }
    });
    return dxInfo;
  }
  // Views after the last allocation: growing the heap replaces its buffer.
  const x = heap.typedArrayFromHeap(xInfo) as Float32Array;
  const dy = heap.typedArrayFromHeap(dyInfo) as Float32Array;
  const dx = heap.typedArrayFromHeap(dxInfo) as Float32Array;
  dx.fill(0);
  const rowLen = outWidth * c;
  const best = new Float32Array(rowLen);
  const at = new Int32Array(rowLen);
  const rowStride = inWidth * c;
  for (let b = 0; b < batchSize; b++) {
    const xBase = b * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      best.fill(-Infinity);
      at.fill(-1);
      for (let kh = 0; kh < fh; kh += dilationHeight) {
        const r = oh * strideHeight - top + kh;
        if (r < 0 || r >= inHeight) continue;
        const rowBase = xBase + r * rowStride;
        for (let kw = 0; kw < fw; kw += dilationWidth) {
          for (let ow = 0; ow < outWidth; ow++) {
            const col = ow * strideWidth - left + kw;
            if (col < 0 || col >= inWidth) continue;
            const src = rowBase + col * c;
            const o = ow * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[src + ch];
              // at < 0: the window's first tap is taken whatever it holds (NaN included), as the cpu backend does.
              if (v > best[o + ch] || at[o + ch] < 0) {
                best[o + ch] = v;
                at[o + ch] = src + ch;
              }
            }
          }
        }
      }
      const dyBase = (b * outHeight + oh) * rowLen;
      for (let k = 0; k < rowLen; k++) {
        const p = at[k];
        if (p >= 0) dx[p] += dy[dyBase + k];
      }
    }
  }
  return dxInfo;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelConfig['kernelFunc'],
};
