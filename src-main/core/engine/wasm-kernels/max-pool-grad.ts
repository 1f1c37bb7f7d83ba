import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, MaxPoolGradAttrs, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { input, makeTensor } from './kernel-calls';

/**
 * MaxPoolGrad for wasm, replacing the backend's own. tfjs-backend-wasm 4.22's MaxPoolGrad and MaxPoolWithArgmax
 * start their running maximum at FLT_MIN (the smallest *positive* float) instead of −∞, so every window whose
 * maximum is ≤ 0 loses its gradient (pooling before an activation, after BN, or over all-zero ReLU output).
 * With both wasm kernels wrong, this is a typed-array implementation, written to stream memory: for each output
 * pixel the window's taps are scanned with the channel as the innermost, contiguous loop, keeping the running
 * maximum and its position per channel (first maximum on ties, as the cpu backend and TensorFlow). Cost: one
 * read of each window tap, one write per output; ~KH·KW·|dy| comparisons.
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
  const x = args.backend.readSync(xInfo.dataId) as Float32Array;
  const dy = args.backend.readSync(dyInfo.dataId) as Float32Array;
  const dx = new Float32Array(x.length);
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  const rowStride = inWidth * c;
  for (let b = 0; b < batchSize; b++) {
    const xBase = b * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const r0 = oh * strideHeight - top;
      for (let ow = 0; ow < outWidth; ow++) {
        const c0 = ow * strideWidth - left;
        best.fill(-Infinity);
        at.fill(-1);
        for (let kh = 0; kh < fh; kh += dilationHeight) {
          const r = r0 + kh;
          if (r < 0 || r >= inHeight) continue;
          for (let kw = 0; kw < fw; kw += dilationWidth) {
            const col = c0 + kw;
            if (col < 0 || col >= inWidth) continue;
            const base = xBase + r * rowStride + col * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch];
              if (v > best[ch] || at[ch] < 0) {
                best[ch] = v;
                at[ch] = base + ch;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * c;
        for (let ch = 0; ch < c; ch++) if (at[ch] >= 0) dx[at[ch]] += dy[dyBase + ch];
      }
    }
  }
  return makeTensor(args.backend, xInfo.shape, 'float32', dx);
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelConfig['kernelFunc'],
};
