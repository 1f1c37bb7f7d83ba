import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  meanAbsoluteError,
  meanSquaredError,
  multitaskLoss,
  ntXent,
  sigmoidBinaryCrossEntropy,
  softmaxCrossEntropy,
  targetTensor,
} from '../../../src-main/core/train/losses';

/*
 * Expected values were computed once with numpy (Debian's /usr/bin/python3) from the same inputs — `ramp` below is
 * sin(i * 0.7311 + 0.3) * scale over the flattened index, rounded to float32 — with plain textbook formulas
 * (log-softmax via log-sum-exp, BCE as -(z log p + (1 - z) log(1 - p)), NT-Xent as an explicit loop over the 2n
 * anchors with the anchor itself excluded), and pasted here.
 */

function ramp(shape: number[], scale = 1, offset = 0): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = Math.sin((i + offset) * 0.7311 + 0.3) * scale;
  return tf.tensor(data, shape);
}

const scalar = (t: tf.Tensor) => t.dataSync()[0];

describe('softmaxCrossEntropy', () => {
  it('matches numpy on segmentation logits with ignored pixels', () => {
    const logits = ramp([2, 2, 2, 3], 3);
    const labels = tf.tensor3d([[[0, 2], [-1, 1]], [[2, -1], [1, 0]]], [2, 2, 2], 'int32');
    expect(scalar(softmaxCrossEntropy(labels, logits))).toBeCloseTo(2.0304134424954605, 5);
  });

  it('gives ignored pixels zero gradient and the numpy gradient elsewhere', () => {
    const logits = ramp([2, 2, 2, 3], 3);
    const labels = tf.tensor3d([[[0, 2], [-1, 1]], [[2, -1], [1, 0]]], [2, 2, 2], 'int32');
    const g = tf.grad((x: tf.Tensor) => softmaxCrossEntropy(labels, x))(logits);
    const v = g.arraySync() as number[][][][];
    expect(v[0][1][0].map(Math.abs)).toEqual([0, 0, 0]);
    expect(v[1][0][1].map(Math.abs)).toEqual([0, 0, 0]);
    const expected = [-0.1549615967445729, 0.06324751178608758, 0.09171408495848528];
    v[0][0][0].forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
  });

  it('matches numpy for patch classification', () => {
    const logits = ramp([4, 5], 2);
    const labels = tf.tensor1d([1, 4, 0, 2], 'int32');
    expect(scalar(softmaxCrossEntropy(labels, logits))).toBeCloseTo(1.1718933398728215, 5);
  });

  it('is 0 (not NaN) when every label is ignored', () => {
    const logits = ramp([3, 4], 2);
    const labels = tf.tensor1d([-1, -1, -1], 'int32');
    expect(scalar(softmaxCrossEntropy(labels, logits))).toBe(0);
  });
});

describe('sigmoidBinaryCrossEntropy', () => {
  it('matches numpy, skipping IGNORE_INDEX entries, and is stable for large logits', () => {
    const logits = ramp([3, 4], 4);
    const labels = tf.tensor2d([[1, 0, 0, 1], [0, -1, 1, 1], [0, 0, 0, 1]]);
    expect(scalar(sigmoidBinaryCrossEntropy(labels, logits))).toBeCloseTo(2.013961069209746, 5);
    const big = sigmoidBinaryCrossEntropy(tf.tensor2d([[1, 0]]), tf.tensor2d([[-200, 200]]));
    expect(scalar(big)).toBeCloseTo(200, 3);
  });
});

describe('regression losses', () => {
  it('MSE and L1 match numpy, skipping NaN labels, with [n] labels against [n, 1] predictions', () => {
    const preds = ramp([4, 1], 2);
    const labels = tf.tensor1d([0.5, Number.NaN, -1, 2]);
    expect(scalar(meanSquaredError(labels, preds))).toBeCloseTo(3.1394314684048568, 5);
    expect(scalar(meanAbsoluteError(labels, preds))).toBeCloseTo(1.2822880148887634, 5);
  });
});

describe('ntXent', () => {
  const full = ramp([6, 4]);
  const z1 = full.slice([0, 0], [3, 4]);
  const z2 = tf.add(z1, tf.mul(full.slice([3, 0], [3, 4]), 0.5));

  it('matches an explicit numpy loop over the 2n anchors at temperatures 0.1 (default) and 0.5', () => {
    expect(scalar(ntXent(z1, z2))).toBeCloseTo(0.7788217994621084, 4);
    expect(scalar(ntXent(z1, z2, 0.5))).toBeCloseTo(0.7586318504288299, 5);
    expect(scalar(ntXent(z1, z1, 0.1))).toBeCloseTo(0.418037274501609, 4);
  });

  it('is invariant to the scale of the embeddings and lower for aligned views than for swapped ones', () => {
    expect(scalar(ntXent(tf.mul(z1, 7), z2))).toBeCloseTo(scalar(ntXent(z1, z2)), 4);
    const swapped = tf.reverse(z2, 0);
    expect(scalar(ntXent(z1, z2))).toBeLessThan(scalar(ntXent(z1, swapped)));
  });

  it('has finite gradients', () => {
    const g = tf.grad((x: tf.Tensor) => ntXent(x, z2))(z1);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  });
});

describe('multitaskLoss and targetTensor', () => {
  it('is the weighted sum of the per-task losses', () => {
    const clsLogits = ramp([4, 5], 2);
    const cls = targetTensor('classification', new Int32Array([1, 4, 0, 2]), 4);
    const reg = targetTensor('regression', new Float32Array([0.5, Number.NaN, -1, 2]), 4);
    const { total, perTask } = multitaskLoss(
      [{ kind: 'classification', weight: 0.5 }, { kind: 'regression', weight: 2 }],
      [cls, reg],
      [clsLogits, ramp([4, 1], 2)],
    );
    expect(scalar(perTask[0])).toBeCloseTo(1.1718933398728215, 5);
    expect(scalar(perTask[1])).toBeCloseTo(3.1394314684048568, 5);
    expect(scalar(total)).toBeCloseTo(0.5 * 1.1718933398728215 + 2 * 3.1394314684048568, 4);
  });

  it('shapes batch targets for their losses', () => {
    expect(targetTensor('segmentation', new Int32Array(2 * 9), 2).shape).toEqual([2, 3, 3]);
    expect(targetTensor('multilabel', new Float32Array(2 * 19), 2).shape).toEqual([2, 19]);
    expect(targetTensor('regression', new Float32Array(3), 3).shape).toEqual([3, 1]);
    expect(() => targetTensor('segmentation', new Int32Array(2 * 8), 2)).toThrow(/not square/);
  });
});
