import type { KernelBackend, KernelConfig, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { input } from './kernel-calls';
import { simdLoops } from './simd-loops';
import type { WasmHeapAccess } from './wasm-heap';

/**
 * TerrafuseReluGrad: dx = x > 0 ? dy : 0 in one SIMD pass on the wasm heap (a compare and a mask per 4 values).
 * tfjs' Relu gradient is dy·cast(step(x)): three full-size kernels and two intermediate tensors per ReLU.
 * (A NaN in x gives 0 here where tfjs gives NaN; a NaN activation has already made the loss NaN.)
 */
function reluGrad(args: { inputs: NamedTensorInfoMap; backend: KernelBackend }): TensorInfo {
  const dyInfo = input(args.inputs, 'dy');
  const xInfo = input(args.inputs, 'x');
  if (dyInfo.dtype !== 'float32' || xInfo.dtype !== 'float32' || dyInfo.shape.join() !== xInfo.shape.join()) {
    throw new Error(`TerrafuseReluGrad: dy and x must be float32 of one shape, got [${dyInfo.shape}] and [${xInfo.shape}]`);
  }
  const heap = args.backend as unknown as WasmHeapAccess;
  const out = heap.makeOutput(xInfo.shape, 'float32');
  const dy = heap.typedArrayFromHeap(dyInfo) as Float32Array;
  const x = heap.typedArrayFromHeap(xInfo) as Float32Array;
  const dx = heap.typedArrayFromHeap(out) as Float32Array;
  const loops = simdLoops(args.backend);
  const quads = loops === undefined ? 0 : x.length >>> 2;
  if (loops !== undefined && quads > 0) loops.reluGrad(dx.byteOffset, dy.byteOffset, x.byteOffset, quads);
  for (let i = 4 * quads; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
  return out;
}

export const RELU_GRAD = 'TerrafuseReluGrad';

export const reluGradConfig: KernelConfig = {
  kernelName: RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: reluGrad as unknown as KernelConfig['kernelFunc'],
};
