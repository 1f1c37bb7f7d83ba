import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { leanBatchNormGradient } from '../../../src-main/core/engine';
import { expectClose, randomTensor, runOn } from './compare';

// The engine replaces tfjs' FusedBatchNorm gradient (a global registration). The reference is the cpu gradient of
// the unfused formula (x − mean)·rsqrt(var + ε)·scale + offset, built from elementary ops whose gradients are
// tfjs' own; so the lean gradient is checked against an independent derivation, not against itself.

const EPS = 1e-3;

function inputs() {
  const x = randomTensor([3, 5, 4, 6], 1).mul(2).add(0.5);
  const mean = randomTensor([6], 2);
  const variance = randomTensor([6], 3).abs().add(0.2);
  const scale = randomTensor([6], 4).add(1.5);
  const offset = randomTensor([6], 5);
  const dy = randomTensor([3, 5, 4, 6], 6);
  return { x, mean, variance, scale, offset, dy };
}

describe('lean FusedBatchNorm gradient', () => {
  it('is installed on the wasm engine', () => {
    expect(tf.getGradient('FusedBatchNorm')).toBe(leanBatchNormGradient);
  });

  it('matches the derivative of the unfused formula for x, mean, variance, scale and offset', async () => {
    const reference = await runOn('cpu', () => {
      const { x, mean, variance, scale, offset, dy } = inputs();
      return tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
        tf.sub(a, m).mul(tf.rsqrt(tf.add(v, EPS))).mul(s).add(o).mul(dy).sum(),
      )([x, mean, variance, scale, offset]);
    });
    const lean = await runOn('wasm', () => {
      const { x, mean, variance, scale, offset, dy } = inputs();
      return tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
        tf.batchNorm(a, m, v, o, s, EPS).mul(dy).sum(),
      )([x, mean, variance, scale, offset]);
    });
    ['x', 'mean', 'variance', 'scale', 'offset'].forEach((name, i) => {
      expect(lean[i].shape, name).toEqual(reference[i].shape);
      expectClose(lean[i].values, reference[i].values, `d${name}`, 2e-4, 2e-5);
    });
  });

  it('through batch statistics, as tf.layers.batchNormalization trains', async () => {
    const training = (fused: boolean) => () => {
      const { x, scale, offset, dy } = inputs();
      return tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        const y = fused
          ? tf.batchNorm(a, mean, variance, o, s, EPS)
          : tf.sub(a, mean).mul(tf.rsqrt(tf.add(variance, EPS))).mul(s).add(o);
        return y.mul(dy).sum();
      })([x, scale, offset]);
    };
    const reference = await runOn('cpu', training(false));
    const lean = await runOn('wasm', training(true));
    // dx through batch statistics sums terms that cancel to ~0 per channel; compare on the scale of dy·g.
    for (let i = 0; i < 3; i++) expectClose(lean[i].values, reference[i].values, `grad ${i}`, 1e-3, 1e-4);
  });
});
