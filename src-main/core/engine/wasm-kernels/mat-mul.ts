import type { BatchMatMulAttrs, KernelBackend, KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { input, withKernelCalls } from './kernel-calls';

/**
 * BatchMatMul / _FusedMatMul for wasm with transposed operands made explicit. The backend's kernels are fast
 * (XNNPACK) for plain products but take a ~10x slower path when transposeA or transposeB is set, which is exactly
 * what dense-layer gradients ask for (dW = xᵀ·dy, dx = dy·Wᵀ) and what our 1×1 filter gradient needs. Here the
 * operand is transposed by the Transpose kernel (a memory pass) and the original kernel runs untransposed.
 */
export function makeMatMulConfig(original: KernelConfig): KernelConfig {
  const fallback = original.kernelFunc;
  const kernelFunc = (args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs: BatchMatMulAttrs }): TensorInfo => {
    const { transposeA, transposeB } = args.attrs;
    if (!transposeA && !transposeB) return fallback(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    return withKernelCalls(args.backend, (k) => {
      const swapLast = (t: TensorInfo) => {
        const perm = t.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        return k.transpose(t, perm);
      };
      const a = input(args.inputs, 'a');
      const b = input(args.inputs, 'b');
      const inputs = { ...args.inputs, a: transposeA ? swapLast(a) : a, b: transposeB ? swapLast(b) : b };
      const out = fallback({
        inputs,
        backend: args.backend,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      } as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
      return k.adopt(out);
    });
  };
  return { kernelName: original.kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}
