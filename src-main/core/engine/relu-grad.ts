import * as tf from '@tensorflow/tfjs';
import type { GradConfig, Tensor } from '@tensorflow/tfjs';
import { RELU_GRAD } from './wasm-kernels/relu-grad';

/**
 * The gradient of Relu as one kernel where the active backend has Terrafuse's TerrafuseReluGrad (wasm), else
 * tfjs' own formula dy·step(x). Gradients are registered per kernel for every backend, so this is installed
 * once, globally, like the batch-norm gradient.
 */
export const reluGradient: GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const grad = Array.isArray(dy) ? dy[0] : dy;
    const [x] = saved;
    return {
      x: () =>
        tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined && grad.dtype === 'float32' && x.dtype === 'float32'
          ? (tf.engine().runKernel(RELU_GRAD, { dy: grad, x }) as Tensor)
          : tf.mul(grad, tf.cast(tf.step(x), 'float32')),
    };
  },
};

export function installReluGradient(): void {
  if (tf.getGradient('Relu')?.gradFunc !== reluGradient.gradFunc) tf.registerGradient(reluGradient);
}
