import type { KernelBackend, KernelConfig, NamedTensorInfoMap, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import { input, makeTensor, withKernelCalls } from './kernel-calls';

/**
 * UnsortedSegmentSum (the gradient of gather / embedding lookups) on wasm's ScatterNd, which adds the updates of
 * repeated indices. Segment ids outside [0, numSegments) are dropped, as TensorFlow does; ScatterNd would write
 * out of bounds, so those rows are filtered first (the ids are small int32 vectors, read once).
 */
export function unsortedSegmentSum(args: {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const x = input(args.inputs, 'x');
  const segmentIds = input(args.inputs, 'segmentIds');
  const { numSegments } = args.attrs;
  const idCount = segmentIds.shape.reduce((a, b) => a * b, 1);
  const rest = x.shape.slice(segmentIds.shape.length);
  const rowSize = rest.reduce((a, b) => a * b, 1);
  return withKernelCalls(args.backend, (k) => {
    let ids = k.reshape(segmentIds, [idCount, 1]);
    let rows = k.reshape(x, [idCount, rowSize]);
    const idValues = args.backend.readSync(segmentIds.dataId) as Int32Array;
    const valid: number[] = [];
    for (let i = 0; i < idValues.length; i++) if (idValues[i] >= 0 && idValues[i] < numSegments) valid.push(i);
    if (valid.length < idCount) {
      const keep = k.adopt(makeTensor(args.backend, [valid.length], 'int32', Int32Array.from(valid)));
      ids = k.run('GatherV2', { x: ids, indices: keep }, { axis: 0, batchDims: 0 });
      rows = k.run('GatherV2', { x: rows, indices: keep }, { axis: 0, batchDims: 0 });
    }
    if (valid.length === 0) {
      return k.run('Fill', {}, { shape: [numSegments, ...rest], value: 0, dtype: x.dtype });
    }
    const summed = k.run('ScatterNd', { indices: ids, updates: rows }, { shape: [numSegments, rowSize] });
    return k.reshape(summed, [numSegments, ...rest]);
  });
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelConfig['kernelFunc'],
};
