import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelBackend, KernelConfig, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { input, withKernelCalls, type KernelCalls } from './kernel-calls';

/**
 * Gradient of conv2d with respect to its input, for wasm, replacing the backend's own Conv2DBackpropInput: that
 * one is a scalar C++ loop (no XNNPACK, no SIMD) and took ~60% of a ResNet-18 training step. Here the gradient is
 * run as forward convolutions on wasm's XNNPACK Conv2D:
 *
 *  - stride 1: dx = conv2d(dy, W flipped in space with in/out channels swapped), "full" padding.
 *  - stride s: each output phase (y + top ≡ r mod s) only receives filter taps r, r+s, r+2s, …, so dx splits into
 *    s×s stride-1 convolutions of dy with those sub-filters (sub-pixel decomposition). Every tap is used once, so
 *    no multiply is spent on the zeros a zero-inserted dy would carry (¾ of them at stride 2). The phase results are
 *    interleaved with one transpose and the padding rows cut off.
 */
export function conv2DBackpropInput(args: {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const dy = input(args.inputs, 'dy');
  const filter = input(args.inputs, 'filter');
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropInput on wasm supports NHWC only, got ${dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return withKernelCalls(args.backend, (k) =>
    info.strideHeight === 1 && info.strideWidth === 1 ? strideOne(k, dy, filter, info) : byPhases(k, dy, filter, info),
  );
}

/** Filter taps flipped in space and channels swapped: [kh, kw, ci, co] → [kh', kw', co, ci]. */
function flippedTransposed(k: KernelCalls, w: TensorInfo): TensorInfo {
  return k.transpose(k.run('Reverse', { x: w }, { dims: [0, 1] }), [0, 1, 3, 2]);
}

/**
 * A stride-1 "full" correlation of dy with an (already flipped) filter of nh×nw taps, producing `rows`×`cols`
 * outputs whose first row corresponds to dy row −(nh−1−padTop)… expressed as explicit padding. Negative paddings
 * (dy rows/cols no output can reach) are cropped from dy instead, since XNNPACK takes no negative padding.
 */
function fullConv(
  k: KernelCalls,
  dy: TensorInfo,
  w: TensorInfo,
  pads: { top: number; left: number },
  rows: number,
  cols: number,
): TensorInfo {
  const [b, oh, ow, co] = dy.shape;
  const [nh, nw] = w.shape;
  let top = pads.top;
  let left = pads.left;
  let src = dy;
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  top = Math.max(0, top);
  left = Math.max(0, left);
  // Rows of dy the outputs can reach: output row r reads padded rows r .. r+nh-1.
  const usedRows = Math.min(oh - cropTop, rows + nh - 1 - top);
  const usedCols = Math.min(ow - cropLeft, cols + nw - 1 - left);
  if (cropTop || cropLeft || usedRows < oh - cropTop || usedCols < ow - cropLeft) {
    src = k.slice(dy, [0, cropTop, cropLeft, 0], [b, usedRows, usedCols, co]);
  }
  const bottom = rows + nh - 1 - top - usedRows;
  const right = cols + nw - 1 - left - usedCols;
  return k.run('Conv2D', { x: src, filter: w }, {
    strides: [1, 1],
    dilations: [1, 1],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
  });
}

function strideOne(k: KernelCalls, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight, filterWidth, inHeight, inWidth } = info;
  return fullConv(
    k,
    dy,
    flippedTransposed(k, filter),
    { top: filterHeight - 1 - info.padInfo.top, left: filterWidth - 1 - info.padInfo.left },
    inHeight,
    inWidth,
  );
}

function byPhases(k: KernelCalls, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outChannels, filterHeight, filterWidth, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  // Phase grid: padded input row y' = y + top = q·sh + rh. q runs over enough rows to cover every input row.
  const rowsQ = Math.ceil((inHeight + top) / sh);
  const colsQ = Math.ceil((inWidth + left) / sw);
  const phases: TensorInfo[] = [];
  for (let rh = 0; rh < sh; rh++) {
    for (let rw = 0; rw < sw; rw++) {
      const nh = rh < filterHeight ? Math.ceil((filterHeight - rh) / sh) : 0;
      const nw = rw < filterWidth ? Math.ceil((filterWidth - rw) / sw) : 0;
      if (nh === 0 || nw === 0) {
        // No tap of the filter lands on this phase (e.g. the odd pixels under a 1×1 stride-2 filter).
        phases.push(k.run('Fill', {}, { shape: [batchSize, rowsQ, colsQ, inChannels], value: 0, dtype: 'float32' }));
        continue;
      }
      const sub = k.run('StridedSlice', { x: filter }, {
        begin: [rh, rw, 0, 0],
        end: [filterHeight, filterWidth, inChannels, outChannels],
        strides: [sh, sw, 1, 1],
        beginMask: 0,
        endMask: 0,
        ellipsisMask: 0,
        newAxisMask: 0,
        shrinkAxisMask: 0,
      });
      // dx'[q] = Σ_j dy[q − j] · W[r + j·s]: a full correlation with the flipped sub-filter.
      phases.push(fullConv(k, dy, flippedTransposed(k, sub), { top: nh - 1, left: nw - 1 }, rowsQ, colsQ));
    }
  }
  // Stacked along a new leading axis (a contiguous copy per phase), then one rank-5 transpose interleaves them:
  // phase (rh, rw) at pixel (q, p) is input pixel (q·sh + rh − top, p·sw + rw − left).
  const stacked = k.reshape(k.stack(phases), [sh, sw, batchSize * rowsQ, colsQ, inChannels]);
  const interleaved = k.reshape(k.transpose(stacked, [2, 0, 3, 1, 4]), [batchSize, rowsQ * sh, colsQ * sw, inChannels]);
  if (top === 0 && left === 0 && rowsQ * sh === inHeight && colsQ * sw === inWidth) return interleaved;
  return k.slice(interleaved, [0, top, left, 0], [batchSize, inHeight, inWidth, inChannels]);
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelConfig['kernelFunc'],
};
