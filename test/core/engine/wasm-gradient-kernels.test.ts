import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerWasmGradientKernels, WASM_GRADIENT_KERNELS } from '../../../src-main/core/engine';
import { expectClose, expectSameOnWasmAsCpu, randomTensor, runOn, seeded } from './compare';

// Every kernel Terrafuse registers for the wasm backend, against the cpu backend on identical inputs.
// The upstream gradient is random (not ones) so every output position carries a distinct weight.

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

describe('registration', () => {
  it('registers every kernel the wasm backend lacks, and only those', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(registerWasmGradientKernels().sort()).toEqual([...WASM_GRADIENT_KERNELS].sort());
    for (const name of WASM_GRADIENT_KERNELS) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  it('the gradient of conv2d on wasm runs through Conv2DBackpropFilter', async () => {
    const x = randomTensor([1, 5, 5, 2], 1) as tf.Tensor4D;
    const f = randomTensor([3, 3, 2, 2], 2) as tf.Tensor4D;
    const profile = await tf.profile(() => tf.grad((w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, 1, 'same').sum())(f));
    expect(profile.kernelNames).toContain('Conv2DBackpropFilter');
    tf.dispose([x, f, profile.result as tf.Tensor]);
  });
});

describe('Conv2DBackpropFilter (and the input gradient alongside) match cpu', () => {
  const cases: Array<{ b: number; h: number; w: number; ci: number; co: number; k: [number, number]; s: [number, number]; pad: Pad }> = [
    { b: 2, h: 9, w: 9, ci: 3, co: 5, k: [3, 3], s: [1, 1], pad: 'same' },
    { b: 3, h: 9, w: 11, ci: 4, co: 6, k: [3, 3], s: [2, 2], pad: 'same' },
    { b: 2, h: 10, w: 7, ci: 2, co: 3, k: [3, 3], s: [2, 2], pad: 'valid' },
    { b: 2, h: 11, w: 11, ci: 2, co: 2, k: [5, 5], s: [3, 3], pad: 'valid' },
    { b: 2, h: 13, w: 13, ci: 12, co: 8, k: [7, 7], s: [2, 2], pad: 'same' },
    { b: 2, h: 8, w: 9, ci: 5, co: 4, k: [1, 1], s: [2, 2], pad: 'same' },
    { b: 2, h: 8, w: 8, ci: 5, co: 4, k: [1, 1], s: [1, 1], pad: 'valid' },
    { b: 1, h: 7, w: 9, ci: 1, co: 1, k: [2, 2], s: [2, 2], pad: 'same' },
    { b: 2, h: 9, w: 8, ci: 3, co: 7, k: [3, 2], s: [1, 2], pad: 'valid' },
    { b: 2, h: 9, w: 9, ci: 16, co: 32, k: [3, 3], s: [2, 2], pad: 'same' },
    { b: 2, h: 8, w: 7, ci: 3, co: 4, k: [3, 3], s: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
    { b: 2, h: 11, w: 10, ci: 3, co: 5, k: [3, 3], s: [2, 2], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
    { b: 2, h: 12, w: 12, ci: 4, co: 3, k: [4, 4], s: [2, 2], pad: 'same' },
    { b: 2, h: 13, w: 14, ci: 2, co: 3, k: [3, 3], s: [3, 3], pad: 'same' },
    { b: 1, h: 9, w: 10, ci: 3, co: 2, k: [3, 5], s: [2, 3], pad: 'same' },
    // Batch and channels multiples of 4: the SIMD transposes feeding the swapped convolution.
    { b: 4, h: 9, w: 9, ci: 8, co: 12, k: [3, 3], s: [1, 1], pad: 'same' },
    { b: 4, h: 13, w: 13, ci: 12, co: 8, k: [7, 7], s: [2, 2], pad: 'same' },
    { b: 8, h: 6, w: 5, ci: 4, co: 4, k: [3, 3], s: [2, 2], pad: 'valid' },
  ];
  for (const c of cases) {
    const label = `b${c.b} ${c.h}x${c.w}x${c.ci} -> ${c.co}, k${c.k.join('x')} s${c.s.join('x')} ${JSON.stringify(c.pad)}`;
    it(label, async () => {
      await expectSameOnWasmAsCpu(label, () => {
        const x = randomTensor([c.b, c.h, c.w, c.ci], 11) as tf.Tensor4D;
        const f = randomTensor([c.k[0], c.k[1], c.ci, c.co], 12) as tf.Tensor4D;
        const outShape = tf.conv2d(x, f, c.s, c.pad).shape;
        const dy = randomTensor(outShape, 13);
        const [dx, df] = tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad).mul(dy).sum())([x, f]);
        return [dx, df];
      });
    });
  }

  it('through the fused conv2d + bias + relu of tf.layers', async () => {
    await expectSameOnWasmAsCpu('fused conv', () => {
      const x = randomTensor([2, 9, 9, 3], 21) as tf.Tensor4D;
      const f = randomTensor([3, 3, 3, 4], 22) as tf.Tensor4D;
      const bias = randomTensor([4], 23) as tf.Tensor1D;
      const dy = randomTensor([2, 5, 5, 4], 24);
      return tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
        tf.fused.conv2d({ x: a as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b, strides: 2, pad: 'same', activation: 'relu' }).mul(dy).sum(),
      )([x, f, bias]);
    });
  });
});

describe('depthwise gradients match cpu', () => {
  const cases: Array<{ b: number; h: number; w: number; c: number; m: number; k: number; s: number; pad: 'same' | 'valid' }> = [
    { b: 2, h: 9, w: 9, c: 3, m: 1, k: 3, s: 1, pad: 'same' },
    { b: 2, h: 9, w: 11, c: 4, m: 2, k: 3, s: 2, pad: 'same' },
    { b: 3, h: 10, w: 7, c: 2, m: 3, k: 3, s: 2, pad: 'valid' },
    { b: 2, h: 9, w: 9, c: 5, m: 2, k: 1, s: 2, pad: 'same' },
    { b: 1, h: 12, w: 12, c: 6, m: 1, k: 5, s: 1, pad: 'valid' },
  ];
  for (const c of cases) {
    const label = `b${c.b} ${c.h}x${c.w}x${c.c} ×${c.m}, k${c.k} s${c.s} ${c.pad}`;
    it(label, async () => {
      await expectSameOnWasmAsCpu(label, () => {
        const x = randomTensor([c.b, c.h, c.w, c.c], 31) as tf.Tensor4D;
        const f = randomTensor([c.k, c.k, c.c, c.m], 32) as tf.Tensor4D;
        const dy = randomTensor(tf.depthwiseConv2d(x, f, c.s, c.pad).shape, 33);
        return tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad).mul(dy).sum())([x, f]);
      });
    });
  }

  // tf.grad refuses dilated depthwise convolutions, but the kernels take a dilation attribute, so they are called
  // directly. The cpu kernels ignore dilation in the input gradient, so the reference here is the cpu gradient of
  // the equivalent undilated convolution with the zero-expanded filter (same output for any padding).
  for (const pad of ['same', 'valid'] as const) {
    it(`dilation 2, ${pad} (kernels called directly, reference: expanded filter on cpu)`, async () => {
      const [b, h, w, c, m, k, d] = [2, 11, 10, 3, 2, 3, 2];
      const kd = (k - 1) * d + 1;
      const filterValues = seeded(k * k * c * m, 42);
      const expandedValues = new Float32Array(kd * kd * c * m);
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++)
          for (let q = 0; q < c * m; q++) expandedValues[((i * d) * kd + j * d) * c * m + q] = filterValues[(i * k + j) * c * m + q];
      const reference = await runOn('cpu', () => {
        const x = randomTensor([b, h, w, c], 41) as tf.Tensor4D;
        const fe = tf.tensor4d(expandedValues, [kd, kd, c, m]);
        const dy = randomTensor(tf.depthwiseConv2d(x, fe, 1, pad).shape, 43);
        const [dx, dfe] = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, pad).mul(dy).sum())([x, fe]);
        // The filter gradient lives on the taps the dilated filter actually has.
        const df = tf.stridedSlice(dfe, [0, 0, 0, 0], [kd, kd, c, m], [d, d, 1, 1]);
        return [dx, df];
      });
      const ours = await runOn('wasm', () => {
        const x = randomTensor([b, h, w, c], 41) as tf.Tensor4D;
        const f = tf.tensor4d(filterValues, [k, k, c, m]);
        const y = tf.depthwiseConv2d(x, f, 1, pad, 'NHWC', d);
        const dy = randomTensor(y.shape, 43);
        const attrs = { strides: [1, 1], pad, dilations: [d, d] };
        const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, { ...attrs, inputShape: x.shape }) as tf.Tensor;
        const df = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: f.shape }) as tf.Tensor;
        return [dx, df];
      });
      for (let i = 0; i < 2; i++) {
        expect(ours[i].shape).toEqual(reference[i].shape);
        expectClose(ours[i].values, reference[i].values, `dilated ${pad} output ${i}`);
      }
    });
  }
});

describe('UnsortedSegmentSum matches cpu', () => {
  it('with repeated, unused and out-of-range segment ids', async () => {
    await expectSameOnWasmAsCpu('unsortedSegmentSum', () => {
      const x = randomTensor([7, 3, 2], 51);
      const ids = tf.tensor1d([0, 2, 2, 5, 0, 6, -1], 'int32');
      return [tf.unsortedSegmentSum(x, ids, 6)];
    });
  });

  it('as the gradient of gather (embedding lookups)', async () => {
    await expectSameOnWasmAsCpu('gather grad', () => {
      const table = randomTensor([10, 4], 52);
      const idx = tf.tensor2d([[1, 3, 3], [9, 0, 1]], [2, 3], 'int32');
      const dy = randomTensor([2, 3, 4], 53);
      return [tf.grad((t: tf.Tensor) => tf.gather(t, idx).mul(dy).sum())(table)];
    });
  });
});

describe('Tile matches cpu (fast contiguous path and fallback)', () => {
  const cases: Array<{ shape: number[]; reps: number[]; dtype: 'float32' | 'int32' | 'bool' }> = [
    { shape: [1, 1, 1, 5], reps: [2, 3, 4, 1], dtype: 'float32' }, // batch-norm gradient broadcast
    { shape: [7], reps: [5], dtype: 'float32' },
    { shape: [1, 3, 2], reps: [4, 3, 1], dtype: 'int32' },
    { shape: [1, 3], reps: [1, 1], dtype: 'float32' },
    { shape: [2, 3], reps: [3, 2], dtype: 'float32' }, // not contiguous copies: backend's own kernel
    { shape: [2, 1, 3], reps: [1, 4, 1], dtype: 'bool' },
  ];
  for (const c of cases) {
    it(`${c.dtype} [${c.shape}] x [${c.reps}]`, async () => {
      await expectSameOnWasmAsCpu(`tile ${c.shape} ${c.reps}`, () => {
        const x = randomTensor(c.shape, 71);
        const typed = c.dtype === 'float32' ? x : c.dtype === 'int32' ? x.mul(100).round().toInt() : x.greater(0);
        return [tf.tile(typed, c.reps).toFloat().add(c.dtype === 'bool' ? 0.5 : 0)];
      });
    });
  }
});

describe('Slice matches cpu (in-place heap copy)', () => {
  const cases: Array<{ shape: number[]; begin: number[]; size: number[] }> = [
    { shape: [2, 5, 6, 3], begin: [0, 1, 2, 0], size: [2, 3, 3, 3] },
    { shape: [2, 5, 6, 3], begin: [1, 0, 0, 0], size: [1, 5, 6, 3] },
    { shape: [2, 5, 6, 3], begin: [0, 0, 0, 1], size: [-1, -1, -1, 2] },
    { shape: [4, 7], begin: [1, 2], size: [2, -1] },
    { shape: [9], begin: [3], size: [4] },
    { shape: [2, 3, 4, 5, 6], begin: [1, 0, 1, 2, 0], size: [1, 3, 2, 2, 6] },
  ];
  for (const c of cases) {
    it(`[${c.shape}] from [${c.begin}] size [${c.size}]`, async () => {
      await expectSameOnWasmAsCpu(`slice ${c.shape}`, () => {
        const x = randomTensor(c.shape, 81);
        return [tf.slice(x, c.begin, c.size), tf.slice(x.mul(50).round().toInt(), c.begin, c.size).toFloat().add(0.5)];
      });
    });
  }
});

describe('BatchMatMul / _FusedMatMul with transposed operands match cpu', () => {
  for (const [tA, tB] of [[true, false], [false, true], [true, true], [false, false]] as const) {
    it(`transposeA ${tA}, transposeB ${tB}`, async () => {
      await expectSameOnWasmAsCpu(`matmul ${tA} ${tB}`, () => {
        const a2 = randomTensor(tA ? [7, 5] : [5, 7], 91) as tf.Tensor2D;
        const b2 = randomTensor(tB ? [3, 7] : [7, 3], 92) as tf.Tensor2D;
        const a3 = randomTensor(tA ? [2, 7, 5] : [2, 5, 7], 93) as tf.Tensor3D;
        const b3 = randomTensor(tB ? [2, 3, 7] : [2, 7, 3], 94) as tf.Tensor3D;
        const bias = randomTensor([3], 95);
        return [
          tf.matMul(a2, b2, tA, tB),
          tf.matMul(a3, b3, tA, tB),
          tf.fused.matMul({ a: a2, b: b2, transposeA: tA, transposeB: tB, bias, activation: 'relu' }),
        ];
      });
    });
  }
});

describe('Sum / Mean (used all over batch norm) match cpu', () => {
  const cases: Array<{ shape: number[]; axis: number[]; keepDims: boolean }> = [
    { shape: [3, 5, 6, 4], axis: [0, 1, 2], keepDims: false },
    { shape: [3, 5, 6, 4], axis: [2, 0, 1], keepDims: true },
    { shape: [7, 9], axis: [0], keepDims: false },
    { shape: [2, 3, 5], axis: [0, 1], keepDims: true },
    { shape: [3, 5, 6, 4], axis: [1, 2], keepDims: false },
  ];
  for (const c of cases) {
    it(`[${c.shape}] over [${c.axis}] keepDims ${c.keepDims}`, async () => {
      await expectSameOnWasmAsCpu(`reduce ${c.shape}`, () => {
        const x = randomTensor(c.shape, 101).add(0.3);
        return [tf.sum(x, c.axis, c.keepDims), tf.mean(x, c.axis, c.keepDims)];
      });
    });
  }
});

describe('Identity shares the buffer without leaking', () => {
  it('clone equals its source and both dispose cleanly', () => {
    const before = tf.memory();
    const x = randomTensor([4, 5], 111);
    const y = tf.clone(x);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    x.dispose();
    expect(Array.from(y.dataSync()).length).toBe(20); // still readable after the source is gone
    y.dispose();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });
});
