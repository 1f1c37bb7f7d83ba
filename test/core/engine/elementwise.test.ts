import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectSameOnWasmAsCpu, randomTensor } from './compare';

// The SIMD elementwise kernels (Add, Sub, Multiply, RealDiv, Relu, Square, Sqrt on wasm) against the cpu backend:
// sizes with and without a remainder of the 4-lane loop, one-value operands on either side, and the cases that
// must fall through to the backend's own kernels (broadcasting, int32).

const binary: Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
  add: tf.add,
  sub: tf.sub,
  mul: tf.mul,
  div: tf.div,
};

describe('elementwise kernels on wasm match cpu', () => {
  for (const [name, f] of Object.entries(binary)) {
    for (const shape of [[2, 3, 4, 8], [3, 7, 5], [1]]) {
      it(`${name} [${shape}], equal shapes and scalar operands`, async () => {
        await expectSameOnWasmAsCpu(`${name} [${shape}]`, () => {
          const a = randomTensor(shape, 1).add(2);
          const b = randomTensor(shape, 2).add(2);
          const s = randomTensor([], 3).add(1.5);
          const s1 = randomTensor([1, 1], 4).add(1.5);
          return [f(a, b), f(a, s), f(s, b), f(s1, a)];
        });
      });
    }
    it(`${name} with broadcasting and on int32 (the backend's kernel)`, async () => {
      await expectSameOnWasmAsCpu(`${name} broadcast`, () => {
        const a = randomTensor([2, 3, 4], 5).add(2);
        const c = randomTensor([4], 6).add(2);
        const i = tf.tensor1d([3, 8, 12, 20, 7], 'int32');
        const j = tf.tensor1d([1, 2, 3, 4, 5], 'int32');
        return [f(a, c), f(c, a), tf.cast(f(i, j), 'float32')];
      });
    });
  }

  const unary: Record<string, (a: tf.Tensor) => tf.Tensor> = { relu: tf.relu, square: tf.square, sqrt: tf.sqrt };
  for (const [name, f] of Object.entries(unary)) {
    for (const shape of [[2, 3, 4, 8], [3, 7, 5], [6]]) {
      it(`${name} [${shape}]`, async () => {
        await expectSameOnWasmAsCpu(`${name} [${shape}]`, () => {
          const a = name === 'sqrt' ? randomTensor(shape, 7).abs() : randomTensor(shape, 7).mul(3);
          return [f(a)];
        });
      });
    }
  }

  it('keeps int32 relu on the backend kernel', () => {
    const r = tf.relu(tf.tensor1d([-2, 3, 0, -1, 5], 'int32'));
    expect(r.dtype).toBe('int32');
    expect(Array.from(r.dataSync())).toEqual([0, 3, 0, 0, 5]);
    r.dispose();
  });
});

describe('MaxPoolGrad on wasm matches cpu', () => {
  const cases: Array<{ shape: [number, number, number, number]; k: number; s: number; pad: 'same' | 'valid' }> = [
    { shape: [2, 11, 9, 8], k: 3, s: 2, pad: 'same' },
    { shape: [2, 10, 10, 8], k: 3, s: 2, pad: 'valid' },
    { shape: [1, 7, 8, 12], k: 2, s: 2, pad: 'same' },
    { shape: [2, 6, 7, 8], k: 3, s: 1, pad: 'same' },
    { shape: [2, 9, 9, 6], k: 3, s: 2, pad: 'same' },
  ];
  for (const c of cases) {
    const label = `[${c.shape}] ${c.k}x${c.k}/${c.s} ${c.pad}`;
    it(label, async () => {
      await expectSameOnWasmAsCpu(label, () => {
        // Mostly negative values (maxima ≤ 0 were lost by the backend's kernel) and exact ties at 0 and at 0.25.
        const raw = randomTensor(c.shape, 70).sub(0.6);
        const x = tf.where(tf.greater(raw, 0.2), tf.fill(c.shape, 0.25), tf.where(tf.greater(raw, 0), tf.zerosLike(raw), raw));
        const y = tf.maxPool(x as tf.Tensor4D, c.k, c.s, c.pad);
        const dy = randomTensor(y.shape, 71);
        return [tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, c.k, c.s, c.pad).mul(dy).sum())(x)];
      });
    });
  }
});
