import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchNormTrain } from '../../../src-main/core/engine';
import { freezableBatchNorm } from '../../../src-main/core/models/layers';
import { simdLoops } from '../../../src-main/core/engine/wasm-kernels/simd-loops';
import { expectClose, expectSameOnWasmAsCpu, randomTensor, runOn } from './compare';

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
    // Multiples of 4 channels run as SIMD loops; this one spans several row blocks of the sums.
    [4, 13, 11, 8],
    [3, 17, 64],
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

  it('has its SIMD loops on the wasm backend (the module assembles and validates)', () => {
    expect(simdLoops(tf.backend())).toBeDefined();
  });

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

describe('FusedBatchNorm (tf.batchNorm) on wasm matches cpu', () => {
  const cases: Array<{ shape: number[]; stats: 'vector' | 'broadcast'; scale: boolean; offset: boolean }> = [
    { shape: [2, 5, 3, 8], stats: 'vector', scale: true, offset: true },
    { shape: [3, 4, 4, 6], stats: 'vector', scale: true, offset: true },
    { shape: [2, 3, 3, 12], stats: 'broadcast', scale: true, offset: false },
    { shape: [7, 16], stats: 'vector', scale: false, offset: true },
    { shape: [2, 3, 5], stats: 'vector', scale: false, offset: false },
  ];
  for (const c of cases) {
    const label = `[${c.shape}] ${c.stats} stats, scale ${c.scale}, offset ${c.offset}`;
    it(label, async () => {
      await expectSameOnWasmAsCpu(label, () => {
        const ch = c.shape[c.shape.length - 1];
        const statShape = c.stats === 'vector' ? [ch] : [...c.shape.slice(0, -1).map(() => 1), ch];
        // Large mean against the spread: centring before scaling keeps the result precise.
        const x = randomTensor(c.shape, 50).add(40);
        const mean = randomTensor(statShape, 51).add(40);
        const variance = randomTensor(statShape, 52).abs().add(0.3);
        const scale = c.scale ? randomTensor(statShape, 53).add(1.5) : undefined;
        const offset = c.offset ? randomTensor(statShape, 54) : undefined;
        return [tf.batchNorm(x, mean, variance, offset, scale, 1e-3)];
      });
    });
  }
});

describe('Relu gradient', () => {
  for (const shape of [[2, 5, 3, 8], [3, 7, 5], [2, 7]]) {
    it(`matches cpu on [${shape}] (values at and around zero)`, async () => {
      await expectSameOnWasmAsCpu(`relu grad [${shape}]`, () => {
        // Some exact zeros: relu's derivative there is 0 in tfjs.
        const x = tf.relu(randomTensor(shape, 60)).sub(tf.relu(randomTensor(shape, 61)));
        const dy = randomTensor(shape, 62);
        return [tf.grad((a: tf.Tensor) => tf.relu(a).mul(dy).sum())(x)];
      });
    });
  }

  it('runs as one kernel on wasm', async () => {
    const x = randomTensor([2, 4, 4, 8], 63);
    const profile = await tf.profile(() => tf.grad((a: tf.Tensor) => tf.relu(a).sum())(x));
    expect(profile.kernelNames).toContain('TerrafuseReluGrad');
    expect(profile.kernelNames).not.toContain('Step');
    tf.dispose([x, profile.result as tf.Tensor]);
  });
});
