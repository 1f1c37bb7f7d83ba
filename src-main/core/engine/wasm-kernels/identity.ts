import type { KernelBackend, KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { input } from './kernel-calls';

/**
 * Identity for wasm without the copy: tensors are immutable, so the output may share the input's buffer (the cpu
 * backend does the same). The backend's own Identity copies the whole tensor; layers and gradients call it
 * hundreds of times per training step.
 */
export function makeIdentityConfig(original: KernelConfig): KernelConfig {
  const fallback = original.kernelFunc;
  const kernelFunc = (args: { inputs: NamedTensorInfoMap; backend: KernelBackend }): TensorInfo => {
    const x = input(args.inputs, 'x');
    if (x.dtype === 'string') return fallback(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { kernelName: 'Identity', backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}
