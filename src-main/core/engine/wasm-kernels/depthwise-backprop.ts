import { backend_util } from '@tensorflow/tfjs';
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInputAttrs,
  KernelBackend,
  KernelConfig,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import { input, withKernelCalls } from './kernel-calls';
import { stridedPick, zeroInsert } from './spread';

type Shape4 = [number, number, number, number];

function depthwiseInfo(
  xShape: number[],
  filterShape: number[],
  attrs: { strides: [number, number] | number; dilations: [number, number] | number; pad: backend_util.Conv2DInfo['padInfo']['type'] | number | backend_util.ExplicitPadding | 'same' | 'valid'; dimRoundingMode?: 'floor' | 'round' | 'ceil' },
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    attrs.dilations,
    attrs.pad as 'same' | 'valid' | number | backend_util.ExplicitPadding,
    attrs.dimRoundingMode,
    true,
  );
}

/**
 * Input gradient of depthwise conv2d: a stride-1 depthwise convolution of the (zero-inserted) output gradient with
 * the spatially flipped filter, every (channel, multiplier) pair as its own channel, then a sum over multipliers.
 */
export function depthwiseBackpropInput(args: {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const dy = input(args.inputs, 'dy');
  const filter = input(args.inputs, 'filter');
  const { inputShape } = args.attrs;
  const info = depthwiseInfo(inputShape, filter.shape, args.attrs);
  const { batchSize, inHeight, inWidth, inChannels, filterHeight, filterWidth, dilationHeight, dilationWidth } = info;
  const multiplier = filter.shape[3];
  const effH = (filterHeight - 1) * dilationHeight + 1;
  const effW = (filterWidth - 1) * dilationWidth + 1;
  return withKernelCalls(args.backend, (k) => {
    let spread = zeroInsert(k, dy, info.strideHeight, info.strideWidth);
    // Full-correlation padding: what the forward pass saw before its first output, mirrored.
    const top = effH - 1 - info.padInfo.top;
    const left = effW - 1 - info.padInfo.left;
    let bottom = inHeight + effH - 1 - spread.shape[1] - top;
    let right = inWidth + effW - 1 - spread.shape[2] - left;
    if (bottom < 0 || right < 0) {
      // Only trailing zero rows/columns from zeroInsert lie beyond the last tap; drop them.
      spread = k.slice(spread, [0, 0, 0, 0], [
        batchSize,
        spread.shape[1] + Math.min(0, bottom),
        spread.shape[2] + Math.min(0, right),
        spread.shape[3],
      ]);
      bottom = Math.max(0, bottom);
      right = Math.max(0, right);
    }
    const flipped = k.run('Reverse', { x: filter }, { dims: [0, 1] });
    const perChannel = k.reshape(flipped, [filterHeight, filterWidth, inChannels * multiplier, 1]);
    const dxAll = k.run('DepthwiseConv2dNative', { x: spread, filter: perChannel }, {
      strides: [1, 1],
      dilations: [dilationHeight, dilationWidth],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
    });
    if (multiplier === 1) return dxAll;
    const split = k.reshape(dxAll, [batchSize, inHeight, inWidth, inChannels, multiplier]);
    return k.sum(split, [4]);
  });
}

/**
 * Filter gradient of depthwise conv2d, one filter tap at a time: the input window a tap sees (a strided crop of
 * the padded input) times dy, summed over batch and space. Each tap is a StridedSlice, a broadcast Multiply and a
 * Sum on wasm kernels, the same arithmetic as the gradient itself with no per-element JavaScript.
 */
export function depthwiseBackpropFilter(args: {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const x = input(args.inputs, 'x');
  const dy = input(args.inputs, 'dy');
  const { filterShape } = args.attrs;
  const info = depthwiseInfo(x.shape, filterShape, args.attrs);
  const { batchSize, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const multiplier = filterShape[3];
  return withKernelCalls(args.backend, (k) => {
    const { top, left } = info.padInfo;
    const needH = (outHeight - 1) * strideHeight + (filterHeight - 1) * dilationHeight + 1;
    const needW = (outWidth - 1) * strideWidth + (filterWidth - 1) * dilationWidth + 1;
    const bottom = Math.max(0, needH - x.shape[1] - top);
    const right = Math.max(0, needW - x.shape[2] - left);
    const xp = top || bottom || left || right ? k.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
    const dy5 = k.reshape(dy, [batchSize, outHeight, outWidth, inChannels, multiplier]);
    const taps: TensorInfo[] = [];
    for (let kh = 0; kh < filterHeight; kh++) {
      for (let kw = 0; kw < filterWidth; kw++) {
        const r0 = kh * dilationHeight;
        const c0 = kw * dilationWidth;
        const window = stridedPick(k, xp, r0, c0, outHeight, outWidth, strideHeight, strideWidth);
        const window5 = k.reshape(window, [batchSize, outHeight, outWidth, inChannels, 1]);
        const prod = k.run('Multiply', { a: window5, b: dy5 });
        taps.push(k.sum(prod, [0, 1, 2])); // [c, m]
      }
    }
    const stacked = k.stack(taps);
    return k.reshape(stacked, [filterHeight, filterWidth, inChannels, multiplier]);
  });
}

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as KernelConfig['kernelFunc'],
};

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
