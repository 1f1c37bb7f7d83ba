import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './wasm-kernels/conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './wasm-kernels/conv2d-backprop-input';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './wasm-kernels/depthwise-backprop';
import { maxPoolGradConfig } from './wasm-kernels/max-pool-grad';
import { unsortedSegmentSumConfig } from './wasm-kernels/unsorted-segment-sum';

/**
 * Kernels tfjs-backend-wasm 4.22 lacks that gradients of common layers need (found by running tf.grad of every
 * layer op on wasm; see test/core/engine): conv2d's filter gradient, both depthwise gradients and the
 * scatter-add behind gather/embedding gradients.
 */
const MISSING: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  unsortedSegmentSumConfig,
];

/** Kernels the backend has but runs as scalar loops, where an XNNPACK formulation is several times faster. */
const SLOW: KernelConfig[] = [conv2DBackpropInputConfig];

/** Kernels the backend has but gets wrong, each with a probe that tells whether the installed one is affected. */
const BROKEN: Array<{ config: KernelConfig; isBroken: () => boolean }> = [
  { config: maxPoolGradConfig, isBroken: maxPoolGradDropsNegativeMaxima },
];

export const WASM_GRADIENT_KERNELS: readonly string[] = [...MISSING, ...SLOW, ...BROKEN.map((b) => b.config)].map((c) => c.kernelName);

/** Whether the registered wasm MaxPoolGrad loses the gradient of a window whose maximum is negative. */
function maxPoolGradDropsNegativeMaxima(): boolean {
  return tf.tidy(() => {
    const x = tf.tensor4d([-3, -1, -2, -4], [1, 2, 2, 1]);
    const dy = tf.tensor4d([1], [1, 1, 1, 1]);
    const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: tf.max(x) }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor;
    return dx.dataSync()[1] !== 1;
  });
}

/**
 * Registers Terrafuse's kernels for the wasm backend, which must be the active backend. Idempotent; a kernel the
 * installed backend already provides correctly (a future tfjs release) is left alone. Returns the names in use
 * that are ours.
 */
export function registerWasmGradientKernels(): string[] {
  if (tf.getBackend() !== 'wasm') throw new Error('registerWasmGradientKernels: the wasm backend must be active');
  const ours: string[] = [];
  for (const config of MISSING) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing === undefined) tf.registerKernel(config);
    if (existing === undefined || existing.kernelFunc === config.kernelFunc) ours.push(config.kernelName);
  }
  for (const config of SLOW) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc !== config.kernelFunc) {
      if (existing !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
      tf.registerKernel(config);
    }
    ours.push(config.kernelName);
  }
  for (const { config, isBroken } of BROKEN) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) {
      ours.push(config.kernelName);
    } else if (existing === undefined || isBroken()) {
      if (existing !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
      tf.registerKernel(config);
      ours.push(config.kernelName);
    }
  }
  return ours;
}
