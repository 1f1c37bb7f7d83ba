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
