import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { expectClose, expectSameOnWasmAsCpu, randomTensor, runOn } from './compare';

// Gradients of the ops our models are built from, on wasm against cpu. Most run on kernels the wasm backend
// already ships (MaxPoolGrad, AvgPoolGrad, ResizeBilinearGrad, Conv2DBackpropInput, ...); this is the list that
// was used to find which kernels were missing, kept as a guard for the whole training path.

const x = () => randomTensor([2, 9, 9, 4], 1) as tf.Tensor4D;
const dyLike = (t: tf.Tensor, seed = 99) => randomTensor(t.shape, seed);
/** Σ f(a)·dy with a random dy, so every output element gets its own weight in the gradient. */
function weighted(f: (a: tf.Tensor) => tf.Tensor): (a: tf.Tensor) => tf.Tensor {
  return (a) => {
    const y = f(a);
    return y.mul(dyLike(y)).sum();
  };
}

const unary: Record<string, (a: tf.Tensor) => tf.Tensor> = {
  'maxPool 3x3/2 same': (a) => tf.maxPool(a as tf.Tensor4D, 3, 2, 'same'),
  'maxPool 2x2/2 valid': (a) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'),
  'maxPool 3x3/1 same, overlapping windows': (a) => tf.maxPool(a as tf.Tensor4D, 3, 1, 'same'),
  'maxPool after relu (ties at zero)': (a) => tf.maxPool(tf.relu(a.sub(0.5)) as tf.Tensor4D, 3, 2, 'same'),
  'avgPool 3x3/2 same': (a) => tf.avgPool(a as tf.Tensor4D, 3, 2, 'same'),
  'avgPool 2x2/2 valid': (a) => tf.avgPool(a as tf.Tensor4D, 2, 2, 'valid'),
  'resizeBilinear x2': (a) => tf.image.resizeBilinear(a as tf.Tensor4D, [18, 18]),
  'resizeBilinear x2 alignCorners': (a) => tf.image.resizeBilinear(a as tf.Tensor4D, [18, 18], true),
  'resizeBilinear to odd size': (a) => tf.image.resizeBilinear(a as tf.Tensor4D, [13, 17]),
  'relu': (a) => tf.relu(a),
  'relu6': (a) => tf.relu6(a.mul(8)),
  'leakyRelu': (a) => tf.leakyRelu(a, 0.1),
  'elu': (a) => tf.elu(a),
  'sigmoid': (a) => tf.sigmoid(a),
  'tanh': (a) => tf.tanh(a),
  'concat channels': (a) => tf.concat([a, a.mul(2).add(1)], 3),
  'pad': (a) => tf.pad(a as tf.Tensor4D, [[0, 0], [1, 2], [2, 1], [0, 0]]),
  'mirrorPad reflect': (a) => tf.mirrorPad(a as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect'),
  'global mean (GAP)': (a) => tf.mean(a, [1, 2]),
  'moments variance': (a) => tf.moments(a, [0, 1, 2]).variance,
  'batchNorm with batch statistics': (a) => {
    const { mean, variance } = tf.moments(a, [0, 1, 2]);
    return tf.batchNorm(a as tf.Tensor4D, mean, variance, randomTensor([4], 7) as tf.Tensor1D, randomTensor([4], 8) as tf.Tensor1D, 1e-3);
  },
  'slice': (a) => tf.slice(a, [0, 1, 2, 1], [2, 5, 6, 3]),
  'tile': (a) => tf.tile(a, [1, 2, 1, 1]),
  'transpose NCHW': (a) => tf.transpose(a, [0, 3, 1, 2]),
  'reshape + max': (a) => tf.max(tf.reshape(a, [2, 81, 4]), 1),
  'clipByValue': (a) => tf.clipByValue(a, -0.5, 0.5),
  'square/sqrt/log/exp': (a) => tf.exp(tf.log(tf.sqrt(tf.square(a).add(1)))),
  'spaceToBatch': (a) => tf.spaceToBatchND(a as tf.Tensor4D, [2, 2], [[0, 1], [0, 1]]),
  'l2 normalise': (a) => tf.div(a, tf.norm(a, 'euclidean', 3, true)),
};

describe('gradients of layer ops on wasm match cpu', () => {
  for (const [name, f] of Object.entries(unary)) {
    it(name, async () => {
      await expectSameOnWasmAsCpu(name, () => [tf.grad(weighted(f))(x())]);
    });
  }

  const logits = () => randomTensor([6, 11], 3);
  const labels = () => tf.oneHot(tf.tensor1d([1, 3, 0, 2, 10, 7], 'int32'), 11);
  it('softmax cross-entropy', async () => {
    await expectSameOnWasmAsCpu('softmaxCE', () => [tf.grad((l: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels(), l))(logits())]);
  });
  it('sigmoid cross-entropy', async () => {
    await expectSameOnWasmAsCpu('sigmoidCE', () => [tf.grad((l: tf.Tensor) => tf.losses.sigmoidCrossEntropy(labels(), l))(logits())]);
  });
  it('logSoftmax', async () => {
    await expectSameOnWasmAsCpu('logSoftmax', () => [tf.grad(weighted((l) => tf.logSoftmax(l)))(logits())]);
  });
  it('matMul + bias + relu (dense layer)', async () => {
    await expectSameOnWasmAsCpu('dense', () =>
      tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
        tf.fused.matMul({ a: a as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: 'relu' }).mul(randomTensor([6, 5], 4)).sum(),
      )([logits() as tf.Tensor2D, randomTensor([11, 5], 5) as tf.Tensor2D, randomTensor([5], 6) as tf.Tensor1D]),
    );
  });
  // The cpu backend's ResizeNearestNeighborGrad is wrong for batch > 1 (tfjs 4.22), so it is no reference here:
  // the gradient must be the adjoint of the forward pass, i.e. every output's dy added to the pixel it copied.
  it('resizeNearestNeighbor: gradient is the adjoint of the forward pass', async () => {
    const [n, h, w, c, oh, ow] = [2, 9, 7, 3, 18, 11];
    const [out] = await runOn('wasm', () => {
      const x = randomTensor([n, h, w, c], 61);
      const dy = randomTensor([n, oh, ow, c], 62);
      return [tf.grad((a: tf.Tensor) => tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [oh, ow]).mul(dy).sum())(x)];
    });
    // Which input pixel each output copies, read off the forward pass of the index image.
    const [sources, dy] = await runOn('wasm', () => [
      tf.image.resizeNearestNeighbor(tf.range(0, n * h * w * c).reshape([n, h, w, c]) as tf.Tensor4D, [oh, ow]),
      randomTensor([n, oh, ow, c], 62),
    ]);
    const adjoint = new Float32Array(n * h * w * c);
    sources.values.forEach((src, i) => (adjoint[src] += dy.values[i]));
    expectClose(out.values, adjoint, 'resizeNearestNeighbor adjoint');
  });

  it('conv2dTranspose stride 2 (learned up-sampling)', async () => {
    await expectSameOnWasmAsCpu('conv2dTranspose', () =>
      tf.grads((a: tf.Tensor, w: tf.Tensor) => weighted((t) => t)(tf.conv2dTranspose(a as tf.Tensor4D, w as tf.Tensor4D, [2, 18, 18, 3], 2, 'same')))([
        x(),
        randomTensor([3, 3, 3, 4], 9) as tf.Tensor4D,
      ]),
    );
  });
});
