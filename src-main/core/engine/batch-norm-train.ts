import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_GRAD, CHANNEL_MOMENTS } from './wasm-kernels/batch-norm-train';

/**
 * Batch normalisation in training mode — statistics of the batch, per channel (last axis) — as ONE node on the
 * gradient tape, with the analytic gradient:
 *
 *   y = (x − mean)·scale/√(var + ε) + offset,  mean, var = per-channel batch moments of x
 *
 * This is exactly what tf.layers' BatchNormalization computes in training (tf.moments, then tf.batchNorm), but
 * tfjs differentiates that composition op by op: ~15 full-size kernels per layer and a transpose inside every
 * reduction on wasm. Here the forward pass is one statistics pass plus the FusedBatchNorm kernel, and the backward
 * pass one reduction plus one elementwise pass (wasm-kernels/batch-norm-train.ts). On backends without those
 * kernels the same formulas run as tf ops (still ~3x fewer full-size passes than tfjs' own derivative).
 *
 * Returns y and the batch statistics (for the moving averages, the caller owns and disposes them).
 */
export function batchNormTrain(
  x: tf.Tensor,
  scale: tf.Tensor,
  offset: tf.Tensor,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const c = x.shape[x.rank - 1];
  if (x.rank < 2 || scale.shape.join() !== `${c}` || offset.shape.join() !== `${c}`) {
    throw new Error(`batchNormTrain: x [${x.shape}] needs scale and offset of shape [${c}]`);
  }
  const stats: { mean?: tf.Tensor1D; variance?: tf.Tensor1D } = {};
  const op = tf.customGrad(((xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const [mean, variance] = moments(xs);
    // Kept past the forward pass's tidy: the caller updates its moving averages with them.
    stats.mean = tf.keep(mean);
    stats.variance = tf.keep(variance);
    save([xs, mean, variance, g]);
    return {
      value: tf.batchNorm(xs, mean, variance, b, g, epsilon),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => gradient(dy, saved, epsilon)),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x, scale, offset);
  if (stats.mean === undefined || stats.variance === undefined) throw new Error('batchNormTrain: no forward pass');
  return { y, mean: stats.mean, variance: stats.variance };
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

function leadingAxes(x: tf.Tensor): number[] {
  return x.shape.slice(0, -1).map((_, i) => i);
}

/** Per-channel mean and biased variance of x over every axis but the last. */
function moments(x: tf.Tensor): [tf.Tensor1D, tf.Tensor1D] {
  if (hasKernel(CHANNEL_MOMENTS)) return tf.engine().runKernel(CHANNEL_MOMENTS, { x }) as [tf.Tensor1D, tf.Tensor1D];
  const { mean, variance } = tf.moments(x, leadingAxes(x));
  return [mean as tf.Tensor1D, variance as tf.Tensor1D];
}

/** [dx, dscale, doffset]. */
function gradient(dy: tf.Tensor, saved: tf.Tensor[], epsilon: number): tf.Tensor[] {
  const [x, mean, variance, scale] = saved;
  if (hasKernel(BATCH_NORM_GRAD)) {
    return tf.engine().runKernel(BATCH_NORM_GRAD, { dy, x, mean, variance, scale }, { varianceEpsilon: epsilon }) as tf.Tensor[];
  }
  const axes = leadingAxes(x);
  const n = x.size / x.shape[x.rank - 1];
  const r = tf.rsqrt(tf.add(variance, epsilon));
  const a = tf.mul(scale, r);
  const centred = tf.sub(x, mean);
  const s1 = tf.sum(dy, axes);
  const s2 = tf.sum(tf.mul(dy, centred), axes);
  const slope = tf.div(tf.mul(tf.mul(a, tf.square(r)), s2), -n);
  const dx = tf.add(tf.mul(tf.sub(dy, tf.div(s1, n)), a), tf.mul(centred, slope));
  return [dx, tf.mul(r, s2), s1];
}
