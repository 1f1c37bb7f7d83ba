import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cosineFactor, Optimizer } from '../../../src-main/core/train/optim';

/** Minimises f(p) = sum((p - target)^2) with the given optimiser; returns the final parameters. */
function minimise(opt: Optimizer, p: tf.Variable, target: tf.Tensor, steps: number, lr: number): Float32Array {
  for (let i = 0; i < steps; i++) {
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(p, target))) as tf.Scalar, [p]);
    opt.step(grads, lr);
    value.dispose();
    tf.dispose(grads);
  }
  return p.dataSync() as Float32Array;
}

describe('Optimizer', () => {
  it('Adam matches the torch.optim.Adam update rule step by step', () => {
    const p = tf.variable(tf.tensor1d([1, -2, 0.5]));
    const opt = new Optimizer({ name: 'adam', lr: 0.1 }, [{ variables: [p], lrScale: 1 }]);
    // Reference in plain JS: gradient of sum((p - 0)^2) is 2p.
    const ref = [1, -2, 0.5];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    const target = tf.zeros([3]);
    for (let t = 1; t <= 5; t++) {
      minimise(opt, p, target, 1, 0.1);
      for (let i = 0; i < 3; i++) {
        const g = 2 * ref[i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        const mh = m[i] / (1 - 0.9 ** t);
        const vh = v[i] / (1 - 0.999 ** t);
        ref[i] -= (0.1 * mh) / (Math.sqrt(vh) + 1e-8);
      }
      const got = Array.from(p.dataSync());
      got.forEach((x, i) => expect(x).toBeCloseTo(ref[i], 5));
    }
    opt.dispose();
    p.dispose();
    target.dispose();
  });

  it('SGD with momentum follows torch (buffer starts at the first gradient)', () => {
    const p = tf.variable(tf.tensor1d([3]));
    const opt = new Optimizer({ name: 'sgd', lr: 0.1, momentum: 0.5 }, [{ variables: [p], lrScale: 1 }]);
    const target = tf.zeros([1]);
    let ref = 3;
    let buf = 0;
    for (let t = 0; t < 4; t++) {
      minimise(opt, p, target, 1, 0.1);
      const g = 2 * ref;
      buf = t === 0 ? g : 0.5 * buf + g;
      ref -= 0.1 * buf;
      expect(p.dataSync()[0]).toBeCloseTo(ref, 5);
    }
    opt.dispose();
    p.dispose();
    target.dispose();
  });

  it('parameter groups scale the learning rate; lrScale 0 freezes', () => {
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([1]));
    const c = tf.variable(tf.tensor1d([1]));
    const opt = new Optimizer({ name: 'sgd', lr: 0.1, momentum: 0 }, [
      { variables: [a], lrScale: 1 },
      { variables: [b], lrScale: 0.1 },
      { variables: [c], lrScale: 0 },
    ]);
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.addN([tf.square(a), tf.square(b), tf.square(c)])) as tf.Scalar, [a, b, c]);
    opt.step(grads, 1);
    tf.dispose([value, grads]);
    expect(a.dataSync()[0]).toBeCloseTo(1 - 1 * 2, 5);
    expect(b.dataSync()[0]).toBeCloseTo(1 - 0.1 * 2, 5);
    expect(c.dataSync()[0]).toBe(1);
    opt.dispose();
    tf.dispose([a, b, c]);
  });

  it('keeps a constant number of tensors after the first step', () => {
    const p = tf.variable(tf.randomNormal([4, 4], 0, 1, 'float32', 1));
    const opt = new Optimizer({ name: 'adam', lr: 0.01 }, [{ variables: [p], lrScale: 1 }]);
    const target = tf.zeros([4, 4]);
    minimise(opt, p, target, 1, 0.01);
    const after1 = tf.memory().numTensors;
    minimise(opt, p, target, 10, 0.01);
    expect(tf.memory().numTensors).toBe(after1);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(after1 - 2);
    tf.dispose([p, target]);
  });

  it('rejects a variable in two groups', () => {
    const p = tf.variable(tf.scalar(1));
    expect(() => new Optimizer({ name: 'sgd', lr: 1 }, [{ variables: [p], lrScale: 1 }, { variables: [p], lrScale: 1 }])).toThrow(/two parameter groups/);
    p.dispose();
  });
});

describe('cosineFactor', () => {
  it('goes from 1 to the floor along half a cosine, after a linear warm-up', () => {
    const s = { totalSteps: 110, warmupSteps: 10, minFactor: 0.1 };
    expect(cosineFactor(0, s)).toBeCloseTo(0.1, 9);
    expect(cosineFactor(9, s)).toBeCloseTo(1, 9);
    expect(cosineFactor(10, s)).toBeCloseTo(1, 9);
    expect(cosineFactor(60, s)).toBeCloseTo(0.1 + 0.9 * 0.5, 9);
    expect(cosineFactor(110, s)).toBeCloseTo(0.1, 9);
    // monotone after warm-up
    let prev = Infinity;
    for (let i = 10; i <= 110; i++) {
      const f = cosineFactor(i, s);
      expect(f).toBeLessThanOrEqual(prev);
      prev = f;
    }
  });
});
