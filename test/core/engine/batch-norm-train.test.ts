import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchNormTrain } from '../../../src-main/core/engine';
import { freezableBatchNorm } from '../../../src-main/core/models/layers';
import { expectClose, randomTensor, runOn } from './compare';

// batchNormTrain (one tape node with the analytic gradient; fused heap kernels on wasm, tf ops elsewhere) against
// tfjs' own derivative of the composition tf.layers trains with — tf.moments, then the unfused normalisation
// formula — on the cpu backend.

const EPS = 1e-3;

function data(shape: number[], seed: number) {
  const c = shape[shape.length - 1];
  // Offset and scaled so the statistics are far from 0 and 1 (cancellation in E[x²] − E[x]² would show).
  const x = randomTensor(shape, seed).mul(3).add(2);
  const scale = randomTensor([c], seed + 1).add(1.5);
  const offset = randomTensor([c], seed + 2);
  const dy = randomTensor(shape, seed + 3);
  return { x, scale, offset, dy };
}

function reference(shape: number[], seed: number) {
  return () => {
    const { x, scale, offset, dy } = data(shape, seed);
    const axes = shape.slice(0, -1).map((_, i) => i);
    const f = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, axes);
      return tf.sub(a, mean).mul(tf.rsqrt(tf.add(variance, EPS))).mul(s).add(o);
    };
    const { mean, variance } = tf.moments(x, axes);
    const grads = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => f(a, s, o).mul(dy).sum())([x, scale, offset]);
    return [f(x, scale, offset), mean, variance, ...grads];
  };
}

function fused(shape: number[], seed: number) {
  return () => {
    const { x, scale, offset, dy } = data(shape, seed);
    const run = () => batchNormTrain(x, scale, offset, EPS);
    const { y, mean, variance } = run();
    const grads = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
      const out = batchNormTrain(a, s, o, EPS);
      tf.dispose([out.mean, out.variance]);
      return out.y.mul(dy).sum();
    })([x, scale, offset]);
    return [y, mean, variance, ...grads];
  };
}

const NAMES = ['y', 'mean', 'variance', 'dx', 'dscale', 'doffset'];

describe('batchNormTrain', () => {
  const shapes = [
    [3, 5, 4, 6],
    [2, 7, 3, 5],
    [9, 4],
    [4, 3, 2, 33],
  ];
  for (const shape of shapes) {
    for (const backend of ['wasm', 'cpu'] as const) {
      it(`matches tfjs' derivative of moments + normalisation, [${shape}] on ${backend}`, async () => {
        const expected = await runOn('cpu', reference(shape, shape.length * 10 + shape[0]));
        const actual = await runOn(backend, fused(shape, shape.length * 10 + shape[0]));
        NAMES.forEach((name, i) => {
          expect(actual[i].shape, name).toEqual(expected[i].shape);
          // dx sums terms that cancel per channel: compared on the scale of its largest value.
          expectClose(actual[i].values, expected[i].values, name, 2e-4, name === 'dx' ? 2e-4 : 2e-5);
        });
      });
    }
  }

  it('uses the fused kernels on wasm and leaks no tensor', () => {
    const { x, scale, offset, dy } = data([2, 3, 3, 4], 7);
    const before = tf.memory().numTensors;
    const grads = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
      const out = batchNormTrain(a, s, o, EPS);
      tf.dispose([out.mean, out.variance]);
      return out.y.mul(dy).sum();
    })([x, scale, offset]);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.getKernel('TerrafuseChannelMoments', 'wasm')).toBeDefined();
    expect(tf.getKernel('TerrafuseBatchNormGrad', 'wasm')).toBeDefined();
    tf.dispose([x, scale, offset, dy]);
  });
});

describe('FreezableBatchNorm in training', () => {
  it('gives the output, moving statistics and gradients of tfjs BatchNormalization', () => {
    const shape = [4, 5, 3, 6];
    const { x, dy } = data(shape, 40);
    const build = (ours: boolean) => {
      const args = { axis: -1, momentum: 0.9, epsilon: 1e-5 };
      const layer = ours ? freezableBatchNorm(args) : tf.layers.batchNormalization(args);
      layer.build(x.shape);
      layer.setWeights([randomTensor([6], 41).add(1.2), randomTensor([6], 42), randomTensor([6], 43), randomTensor([6], 44).abs().add(0.5)]);
      return layer;
    };
    const run = (layer: tf.layers.Layer) => {
      const f = () => (layer.apply(x, { training: true }) as tf.Tensor).mul(dy).sum() as tf.Scalar;
      const { value, grads } = tf.variableGrads(f, layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      return { value, grads: Object.values(grads), y, weights: layer.getWeights() };
    };
    const theirs = run(build(false));
    const ours = run(build(true));
    expectClose(ours.y.dataSync() as Float32Array, theirs.y.dataSync() as Float32Array, 'y', 2e-4, 2e-5);
    expectClose(ours.value.dataSync() as Float32Array, theirs.value.dataSync() as Float32Array, 'loss', 2e-4, 2e-5);
    expect(ours.grads.length).toBe(2);
    ours.grads.forEach((g, i) => expectClose(g.dataSync() as Float32Array, theirs.grads[i].dataSync() as Float32Array, `grad ${i}`, 2e-4, 2e-5));
    // Two training calls each moved the moving mean and variance.
    ours.weights.forEach((w, i) => expectClose(w.dataSync() as Float32Array, theirs.weights[i].dataSync() as Float32Array, `weight ${i}`, 2e-4, 2e-5));
  });
});
