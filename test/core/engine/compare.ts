import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** Seeded uniform values in [-1, 1) (mulberry32), so both backends get bit-identical inputs. */
export function seeded(size: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(seeded(shape.reduce((a, b) => a * b, 1), seed), shape, 'float32');
}

export interface Output {
  shape: number[];
  values: Float32Array;
}

/**
 * Runs `fn` on the given backend and returns its outputs as plain arrays; the previous backend is restored
 * afterwards (the unit setup runs everything on wasm).
 */
export async function runOn(backend: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<Output[]> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  try {
    const outs = tf.tidy(fn);
    const values = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
    const result = outs.map((t, i) => ({ shape: t.shape, values: values[i] }));
    tf.dispose(outs);
    return result;
  } finally {
    await tf.setBackend(previous);
  }
}

/**
 * float32 comparison: |a − e| ≤ rtol·|e| + atol·max|e|. The scale term absorbs cancellation in long sums, where
 * the two backends add in a different order.
 */
export function expectClose(actual: Float32Array, expected: Float32Array, label: string, rtol = 1e-4, atol = 1e-5): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  expect(scale, `${label}: reference is all zeros, the comparison would be empty`).toBeGreaterThan(0);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (rtol * Math.abs(expected[i]) + atol * scale);
    if (excess > worst) {
      worst = excess;
      worstAt = i;
    }
  }
  expect(worstAt, worstAt < 0 ? label : `${label}: at ${worstAt} wasm ${actual[worstAt]}, cpu ${expected[worstAt]}`).toBe(-1);
}

/** Same function on cpu and wasm, every output compared in shape and value. */
export async function expectSameOnWasmAsCpu(label: string, fn: () => tf.Tensor[], rtol?: number, atol?: number) {
  const cpu = await runOn('cpu', fn);
  const wasm = await runOn('wasm', fn);
  expect(wasm.length, `${label}: number of outputs`).toBe(cpu.length);
  cpu.forEach((expected, i) => {
    expect(wasm[i].shape, `${label} output ${i}: shape`).toEqual(expected.shape);
    expectClose(wasm[i].values, expected.values, `${label} output ${i}`, rtol, atol);
  });
}
