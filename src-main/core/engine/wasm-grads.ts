import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './wasm-kernels/conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './wasm-kernels/conv2d-backprop-input';
import { batchNormGradConfig, channelMomentsConfig, makeFusedBatchNormConfig } from './wasm-kernels/batch-norm-train';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './wasm-kernels/depthwise-backprop';
import { maxPoolGradConfig } from './wasm-kernels/max-pool-grad';
import { makeMatMulConfig } from './wasm-kernels/mat-mul';
import { BINARY_KERNELS, makeBinaryConfig, makeUnaryConfig, UNARY_KERNELS } from './wasm-kernels/elementwise';
import { makeIdentityConfig } from './wasm-kernels/identity';
import { reluGradConfig } from './wasm-kernels/relu-grad';
import { makeSliceConfig } from './wasm-kernels/slice';
import { makeTileConfig } from './wasm-kernels/tile';
import { unsortedSegmentSumConfig } from './wasm-kernels/unsorted-segment-sum';

/**
 * Terrafuse's kernels for the wasm backend (tfjs-backend-wasm 4.22), in three groups:
 *  - missing: kernels that gradients of common layers need and the backend lacks (found by running tf.grad of
 *    every layer op on wasm; see test/core/engine): conv2d's filter gradient, both depthwise gradients and the
 *    scatter-add behind gather/embedding gradients; plus Terrafuse's own fused kernels (batch-norm training
 *    statistics and gradient, ReLU gradient), which ops and gradients in this folder use when the active backend
 *    has them;
 *  - faster: kernels the backend has as scalar loops, index arithmetic or slow single-thread paths, replaced by
 *    formulations on its XNNPACK kernels, memmoves, or WebAssembly SIMD loops on its heap (simd-loops.ts); each
 *    wraps the original for the cases it does not speed up;
 *  - broken: kernels the backend gets wrong, replaced only if a probe on the installed version shows the bug.
 */
interface Replacement {
  kernelName: string;
  build(original: KernelConfig | undefined): KernelConfig;
  /** For 'broken' kernels: whether the installed one has the bug (runs with the wasm backend active). */
  isBroken?: () => boolean;
}

const MISSING: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  unsortedSegmentSumConfig,
  channelMomentsConfig,
  batchNormGradConfig,
  reluGradConfig,
];

const FASTER: Replacement[] = [
  { kernelName: 'Conv2DBackpropInput', build: () => conv2DBackpropInputConfig },
  { kernelName: 'Tile', build: (original) => makeTileConfig(need(original, 'Tile')) },
  { kernelName: 'Slice', build: (original) => makeSliceConfig(need(original, 'Slice')) },
  { kernelName: 'BatchMatMul', build: (original) => makeMatMulConfig(need(original, 'BatchMatMul')) },
  { kernelName: '_FusedMatMul', build: (original) => makeMatMulConfig(need(original, '_FusedMatMul')) },
  { kernelName: 'Identity', build: (original) => makeIdentityConfig(need(original, 'Identity')) },
  { kernelName: 'FusedBatchNorm', build: (original) => makeFusedBatchNormConfig(need(original, 'FusedBatchNorm')) },
  ...Object.entries(BINARY_KERNELS).map(([name, op]) => ({ kernelName: name, build: (o: KernelConfig | undefined) => makeBinaryConfig(need(o, name), op) })),
  ...Object.entries(UNARY_KERNELS).map(([name, op]) => ({ kernelName: name, build: (o: KernelConfig | undefined) => makeUnaryConfig(need(o, name), op) })),
];

function need(original: KernelConfig | undefined, name: string): KernelConfig {
  if (original === undefined) throw new Error(`the wasm backend has no ${name} kernel to fall back on`);
  return original;
}

const BROKEN: Replacement[] = [
  { kernelName: 'MaxPoolGrad', build: () => maxPoolGradConfig, isBroken: maxPoolGradDropsNegativeMaxima },
];

export const WASM_GRADIENT_KERNELS: readonly string[] = [
  ...MISSING.map((c) => c.kernelName),
  ...FASTER.map((r) => r.kernelName),
  ...BROKEN.map((r) => r.kernelName),
];

/** Kernel functions registered by us, so that a second registration recognises them. */
const ours = new Set<KernelFunc>();

/** Whether the registered wasm MaxPoolGrad loses the gradient of a window whose maximum is negative. */
function maxPoolGradDropsNegativeMaxima(): boolean {
  return tf.tidy(() => {
    const x = tf.tensor4d([-3, -1, -2, -4], [1, 2, 2, 1]);
    const dy = tf.tensor4d([1], [1, 1, 1, 1]);
    const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: tf.max(x) }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor;
    return dx.dataSync()[1] !== 1;
  });
}

function install(config: KernelConfig, replacing: boolean): void {
  if (replacing) tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel(config);
  ours.add(config.kernelFunc);
}

/**
 * Registers Terrafuse's kernels for the wasm backend, which must be the active backend. Idempotent; a missing
 * kernel that a future tfjs release provides is left alone, as is a broken one it fixes. Returns the names of
 * the kernels in use that are ours.
 */
export function registerWasmGradientKernels(): string[] {
  if (tf.getBackend() !== 'wasm') throw new Error('registerWasmGradientKernels: the wasm backend must be active');
  const inUse: string[] = [];
  for (const config of MISSING) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing === undefined) install(config, false);
    if (existing === undefined || ours.has(existing.kernelFunc)) inUse.push(config.kernelName);
  }
  for (const r of [...FASTER, ...BROKEN]) {
    const existing = tf.getKernel(r.kernelName, 'wasm');
    if (existing !== undefined && ours.has(existing.kernelFunc)) {
      inUse.push(r.kernelName);
    } else if (existing === undefined || r.isBroken === undefined || r.isBroken()) {
      install(r.build(existing), existing !== undefined);
      inUse.push(r.kernelName);
    }
  }
  return inUse;
}
