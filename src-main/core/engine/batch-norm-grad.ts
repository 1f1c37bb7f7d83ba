import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';

/**
 * A leaner gradient for FusedBatchNorm (batch norm with per-channel statistics, what tf.layers.batchNormalization
 * runs). tfjs' own gradient tiles rsqrt(variance) up to the full activation shape, then multiplies and sums
 * full-size tensors separately for each of x, mean, variance, scale and offset (~12 full passes and 4 reductions
 * per layer). The same derivatives need only two reductions over the activation:
 *
 *   r = 1/√(var + ε), g = scale·r, S1 = Σ dy, S2 = Σ dy·(x − mean)   (sums over batch and space)
 *   dx = dy·g   dmean = −g·S1   dvar = −½·scale·r³·S2   dscale = r·S2   doffset = S1
 *
 * with dy·g a per-channel broadcast. Gradients are registered per kernel for every backend, so this replaces the
 * gradient everywhere once installed; the results are the same up to float rounding (see the tests, which check
 * it against the derivative of the unfused formula on the cpu backend). Statistics that are not per-channel
 * vectors go to tfjs' original gradient.
 */
export function installBatchNormGradient(): void {
  const original = tf.getGradient('FusedBatchNorm');
  if (original === undefined || original.gradFunc === leanGradient.gradFunc) return;
  fallback = original;
  tf.registerGradient(leanGradient);
}

let fallback: GradConfig | undefined;

/** The gradient config installBatchNormGradient registers. */
export const leanGradient: GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, mean, variance, scale] = saved;
    const grad = Array.isArray(dy) ? dy[0] : dy;
    if (mean.rank !== 1 || variance.rank !== 1 || (scale !== undefined && scale.rank !== 1) || x.rank < 2) {
      if (fallback === undefined) throw new Error('FusedBatchNorm: no fallback gradient');
      return fallback.gradFunc(dy, saved, attrs);
    }
    const epsilon = attrs.varianceEpsilon as number;
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    // Computed here, not inside the per-input closures: the tape runs each closure in its own tidy, which would
    // dispose a shared tensor after its first use. The inner tidy frees the full-size product right away; only
    // the per-channel results live until the backward pass ends.
    const r = tf.rsqrt(tf.add(variance, epsilon));
    const g = scale === undefined ? r : tf.mul(r, scale);
    const s1 = tf.sum(grad, axes);
    const s2 = tf.tidy(() => tf.sum(tf.mul(grad, tf.sub(x, mean)), axes));
    return {
      x: () => tf.mul(grad, g),
      mean: () => tf.neg(tf.mul(s1, g)),
      variance: () => {
        const r3 = tf.mul(tf.mul(r, r), r);
        return tf.mul(tf.mul(s2, scale === undefined ? r3 : tf.mul(r3, scale)), -0.5);
      },
      scale: () => tf.mul(s2, r),
      // A copy: the tape disposes an input's gradient when it accumulates it, and S1 is shared with dmean.
      offset: () => tf.clone(s1),
    };
  },
};
