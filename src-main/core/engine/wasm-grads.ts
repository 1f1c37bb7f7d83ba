import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './wasm-kernels/conv2d-backprop-filter';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './wasm-kernels/depthwise-backprop';
import { unsortedSegmentSumConfig } from './wasm-kernels/unsorted-segment-sum';

/**
 * Kernels tfjs-backend-wasm 4.22 lacks that gradients of common layers need (found by running tf.grad of every
 * layer op on wasm; see test/core/engine): conv2d's filter gradient, both depthwise gradients and the
 * scatter-add behind gather/embedding gradients.
 */
const CONFIGS: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  unsortedSegmentSumConfig,
];

export const WASM_GRADIENT_KERNELS: readonly string[] = CONFIGS.map((c) => c.kernelName);

/**
 * Registers Terrafuse's kernels for the wasm backend. Idempotent; a kernel the installed backend already provides
 * (a future tfjs release) is left alone. Returns the names that are ours.
 */
export function registerWasmGradientKernels(): string[] {
  const ours: string[] = [];
  for (const config of CONFIGS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing === undefined) {
      tf.registerKernel(config);
      ours.push(config.kernelName);
    } else if (existing.kernelFunc === config.kernelFunc) {
      ours.push(config.kernelName);
    }
  }
  return ours;
}
