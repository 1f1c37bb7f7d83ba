import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../../src-main/core/data/modalities';
import { createRng } from '../../../src-main/core/data/rng';
import {
  type BatchSource,
  type HeadObjective,
  type MetricAccumulator,
  fit,
  TrainingCancelled,
} from '../../../src-main/core/train/loop';

// Small local fakes: a 2-class problem on 4x4x2 "S1" patches whose class is the sign of channel 0's mean, a tiny
// conv net, and a cross-entropy head with an accuracy accumulator. The real heads live in heads.ts.
const N = 64;
function fakeSource(): BatchSource & { calls: number } {
  const rng = createRng('fake-data');
  const xs = new Float32Array(N * 4 * 4 * 2);
  const ys = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    ys[i] = i % 2;
    for (let p = 0; p < 16; p++) {
      xs[(i * 16 + p) * 2] = (ys[i] === 1 ? 0.8 : -0.8) + rng.normal() * 0.5;
      xs[(i * 16 + p) * 2 + 1] = rng.normal();
    }
  }
  const src = {
    calls: 0,
    getBatch(indices: number[], opts: { augment: boolean; rng: ReturnType<typeof createRng> }): Batch {
      src.calls += 1;
      const data = new Float32Array(indices.length * 32);
      const t = new Int32Array(indices.length);
      indices.forEach((idx, j) => {
        data.set(xs.subarray(idx * 32, idx * 32 + 32), j * 32);
        t[j] = ys[idx];
      });
      // "Augmentation": a seeded sign-preserving jitter, so the rng passed in matters for determinism.
      if (opts.augment) for (let k = 0; k < data.length; k += 2) data[k + 1] += opts.rng.normal() * 0.1;
      return { size: indices.length, ids: indices.map(String), inputs: { s1: { data, shape: [indices.length, 4, 4, 2] } }, targets: { lulc: t } };
    },
  };
  return src;
}

function tinyModel(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 2], name: 'bb__input' });
  let y = tf.layers.conv2d({ name: 'bb__conv', filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(input) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({ name: 'bb__bn' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.reLU({ name: 'bb__relu' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.globalAveragePooling2d({ name: 'bb__pool' }).apply(y) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'head__fc', units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function accuracyAcc(): MetricAccumulator {
  let right = 0;
  let total = 0;
  return {
    add(target, output) {
      const pred = tf.tidy(() => tf.argMax(output, -1).dataSync());
      target.forEach((t, i) => {
        total += 1;
        if (pred[i] === t) right += 1;
      });
    },
    result: () => ({ accuracy: right / total }),
  };
}

function ceHead(acc: () => MetricAccumulator = accuracyAcc): HeadObjective {
  return {
    target: 'lulc',
    output: 0,
    weight: 1,
    targetTensor: (t, n) => tf.oneHot(tf.tensor1d(t as Int32Array, 'int32'), 2).reshape([n, 2]),
    loss: (y, p) => tf.losses.softmaxCrossEntropy(y, p) as tf.Scalar,
    accumulator: acc,
  };
}

const train = Array.from({ length: 48 }, (_, i) => i);
const val = Array.from({ length: 16 }, (_, i) => 48 + i);

function weightsOf(model: tf.LayersModel): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

describe('fit', () => {
  it('learns, keeps tensor count flat across epochs, and reports progress', async () => {
    const model = tinyModel(3);
    const counts: number[] = [];
    const progress: number[] = [];
    const result = await fit({
      model,
      inputs: ['s1'],
      heads: [ceHead()],
      source: fakeSource(),
      trainIndices: train,
      valIndices: val,
      epochs: 6,
      batchSize: 8,
      seed: 1,
      optimizer: { name: 'adam', lr: 0.05 },
      earlyStopping: { metric: 'lulc.accuracy', mode: 'max', patience: Infinity },
      onProgress: (p) => progress.push(p.progress),
      onEpochEnd: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    expect(result.history).toHaveLength(6);
    expect(result.history[5].train.loss).toBeLessThan(result.history[0].train.loss);
    expect(result.best!.value).toBeGreaterThanOrEqual(0.9);
    // From epoch 2 on (optimiser state and the best-weights copy exist by then) nothing accumulates.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(progress.length).toBe(6 * (6 + 2));
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true);
    expect(progress.at(-1)).toBeCloseTo(1, 6);
    model.dispose();
  });

  it('is deterministic for a seed and differs for another', async () => {
    const run = async (seed: number) => {
      const model = tinyModel(5);
      const r = await fit({
        model, inputs: ['s1'], heads: [ceHead()], source: fakeSource(), trainIndices: train, valIndices: val,
        epochs: 2, batchSize: 8, seed, optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 },
      });
      const w = weightsOf(model);
      model.dispose();
      return { loss: r.history.map((h) => h.train.loss), w };
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a).toEqual(b);
    expect(c.loss).not.toEqual(a.loss);
  });

  it('stops early after `patience` epochs without improvement and restores the best epoch', async () => {
    // A metric scripted per epoch: 0.5, 0.7, 0.6, 0.4, ... -> best epoch 2, stop after epoch 4 with patience 1.
    const script = [0.5, 0.7, 0.6, 0.4, 0.3, 0.2];
    let evals = 0;
    const scripted = (): MetricAccumulator => {
      const v = script[evals++];
      return { add() {}, result: () => ({ score: v }) };
    };
    const model = tinyModel(4);
    let atBest: number[] = [];
    const bestFlags: boolean[] = [];
    const r = await fit({
      model, inputs: ['s1'], heads: [ceHead(scripted)], source: fakeSource(), trainIndices: train, valIndices: val,
      epochs: 6, batchSize: 16, seed: 1, optimizer: { name: 'adam', lr: 0.05 },
      earlyStopping: { metric: 'lulc.score', mode: 'max', patience: 1 },
      onEpochEnd: (rec, best) => {
        bestFlags.push(best);
        if (best) atBest = weightsOf(model);
      },
    });
    expect(r.history).toHaveLength(4);
    expect(r.stoppedEarly).toBe(true);
    expect(r.best).toEqual({ epoch: 2, value: 0.7, metric: 'lulc.score' });
    expect(bestFlags).toEqual([true, true, false, false]);
    expect(weightsOf(model)).toEqual(atBest);
    model.dispose();
  });

  it('does not touch frozen layers and scales the learning rate by prefix', async () => {
    const model = tinyModel(6);
    model.getLayer('bb__conv').trainable = false;
    const frozenBefore = Array.from(model.getLayer('bb__conv').getWeights()[0].dataSync());
    const bnBefore = Array.from(model.getLayer('bb__bn').getWeights()[0].dataSync());
    await fit({
      model, inputs: ['s1'], heads: [ceHead()], source: fakeSource(), trainIndices: train, valIndices: [],
      epochs: 1, batchSize: 16, seed: 1, optimizer: { name: 'sgd', lr: 0.1, momentum: 0 },
      lrScaleOf: (name) => (name === 'bb__bn' ? 0 : 1),
    });
    expect(Array.from(model.getLayer('bb__conv').getWeights()[0].dataSync())).toEqual(frozenBefore);
    expect(Array.from(model.getLayer('bb__bn').getWeights()[0].dataSync())).toEqual(bnBefore);
    expect(Array.from(model.getLayer('head__fc').getWeights()[0].dataSync())).not.toEqual(
      Array.from(tinyModel(6).getLayer('head__fc').getWeights()[0].dataSync()),
    );
    model.dispose();
  });

  it('cancels between steps through the AbortSignal without leaking tensors', async () => {
    const model = tinyModel(2);
    const before = tf.memory().numTensors;
    const ac = new AbortController();
    const src = fakeSource();
    const p = fit({
      model, inputs: ['s1'], heads: [ceHead()], source: src, trainIndices: train, valIndices: val,
      epochs: 5, batchSize: 8, seed: 1, optimizer: { name: 'adam', lr: 0.01 },
      onProgress: (e) => {
        if (e.epoch === 2 && e.step === 2) ac.abort();
      },
      signal: ac.signal,
    });
    await expect(p).rejects.toBeInstanceOf(TrainingCancelled);
    expect(tf.memory().numTensors).toBe(before);
    // 6 train + 2 val batches in epoch 1, 2 train batches in epoch 2, then it stopped.
    expect(src.calls).toBe(10);
    model.dispose();
  });
});
