import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { seeded } from './compare';

// A conv-BN-ReLU-pool-dense network trains on the wasm backend: every gradient kernel it needs exists, the loss
// goes down, and nothing leaks between steps.

function smallCnn(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [12, 12, 3] });
  let h = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  h = tf.layers.activation({ activation: 'relu' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(2) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, kernelInitializer: init(3) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Three classes told apart by which colour channel is brightest: learnable in a few steps. */
function batch(): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const n = 12;
  const values = seeded(n * 12 * 12 * 3, 5);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const cls = i % 3;
    labels.push(cls);
    for (let p = 0; p < 144; p++) values[(i * 144 + p) * 3 + cls] += 1.5;
  }
  return { xs: tf.tensor4d(values, [n, 12, 12, 3]), ys: tf.oneHot(tf.tensor1d(labels, 'int32'), 3) as tf.Tensor2D };
}

describe('training a small CNN on wasm', () => {
  it('loss goes down and tf.memory().numTensors is the same after every step', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const model = smallCnn();
    const optimizer = tf.train.adam(0.01);
    const { xs, ys } = batch();
    const losses: number[] = [];
    const tensorsAfterStep: number[] = [];
    for (let step = 0; step < 8; step++) {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
      );
      if (loss === null) throw new Error('minimize returned no loss');
      losses.push((await loss.data())[0]);
      loss.dispose();
      tensorsAfterStep.push(tf.memory().numTensors);
    }
    // Adam creates its moment variables during the first step; from then on the count must not move.
    expect(new Set(tensorsAfterStep.slice(1)).size).toBe(1);
    for (const l of losses) expect(Number.isFinite(l)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.dispose();
  });

  it('model.fit works on wasm (the path training jobs use)', async () => {
    const model = smallCnn();
    const { xs, ys } = batch();
    const probs = tf.layers.softmax().apply(model.outputs[0]) as tf.SymbolicTensor;
    const classifier = tf.model({ inputs: model.inputs, outputs: probs });
    classifier.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const history = await classifier.fit(xs, ys, { epochs: 6, batchSize: 6, shuffle: false, verbose: 0 });
    const loss = history.history.loss as number[];
    expect(loss[loss.length - 1]).toBeLessThan(loss[0]);
    tf.dispose([xs, ys]);
    classifier.dispose();
  });
});
