import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../../src-main/core/data/modalities';
import { createRng } from '../../../src-main/core/data/rng';
import type { BatchSource } from '../../../src-main/core/train/loop';
import { TrainingCancelled } from '../../../src-main/core/train/loop';
import { buildSslModels, pretrain, sslEncoderPlan } from '../../../src-main/core/train/ssl';
import { augmentView, cropBoxes } from '../../../src-main/core/train/ssl-augment';

const SIZE = 32;
const N = 24;

/**
 * A fake co-registered S2/S1 source: each patch is a random smooth pattern; S2 bands are scaled copies of it and S1
 * a noisy transform of the same pattern, so the two modalities of one place share structure the encoders can match.
 */
function source(): BatchSource {
  const rng = createRng('ssl-fake');
  const pats = Array.from({ length: N }, () => {
    // A per-patch level (what the encoders can learn to match quickly) plus a smooth pattern.
    const a = rng.range(0.5, 3), b = rng.range(0.5, 3), ph = rng.range(0, 6), level = rng.range(-2, 2);
    const p = new Float32Array(SIZE * SIZE);
    for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) p[y * SIZE + x] = level + 0.3 * Math.sin((a * x + b * y) / 5 + ph);
    return p;
  });
  return {
    getBatch(indices, opts): Batch {
      const n = indices.length;
      const s2 = new Float32Array(n * SIZE * SIZE * 12);
      const s1 = new Float32Array(n * SIZE * SIZE * 2);
      indices.forEach((idx, j) => {
        const p = pats[idx];
        for (let k = 0; k < SIZE * SIZE; k++) {
          for (let c = 0; c < 12; c++) s2[(j * SIZE * SIZE + k) * 12 + c] = p[k] * (0.5 + c / 24);
          s1[(j * SIZE * SIZE + k) * 2] = -p[k] + (opts.augment ? opts.rng.normal() * 0.05 : 0);
          s1[(j * SIZE * SIZE + k) * 2 + 1] = p[k] * p[k];
        }
      });
      return {
        size: n,
        ids: indices.map(String),
        inputs: { s2: { data: s2, shape: [n, SIZE, SIZE, 12] }, s1: { data: s1, shape: [n, SIZE, SIZE, 2] } },
        targets: {},
      };
    },
  };
}

const train = Array.from({ length: 16 }, (_, i) => i);
const val = Array.from({ length: 8 }, (_, i) => 16 + i);

describe('SSL pretraining', () => {
  it('encoder plans: contrastive uses s2 and s1 encoders; simclr refuses non-spatial modalities', () => {
    expect(sslEncoderPlan('contrastive-s1s2')).toEqual([
      { prefix: 'backbone_s2', modalities: ['s2'] },
      { prefix: 'backbone_s1', modalities: ['s1'] },
    ]);
    expect(sslEncoderPlan('simclr', ['s1', 's2'])).toEqual([{ prefix: 'backbone', modalities: ['s2', 's1'] }]);
    expect(() => sslEncoderPlan('simclr', ['season'])).toThrow(/not spatial/);
  });

  it('contrastive-s1s2: shared projector 8w -> 8w -> 4w, loss falls, tensor count flat, best encoder kept', async () => {
    const models = buildSslModels({ method: 'contrastive-s1s2', backbone: 'resnet18', width: 2, inputSize: SIZE, seed: 1 });
    expect(models.encoder.inputs.map((i) => i.shape)).toEqual([[null, SIZE, SIZE, 12], [null, SIZE, SIZE, 2]]);
    expect(models.projector.outputs[0].shape).toEqual([null, 8]);
    expect(models.encoders.map((e) => e.features)).toEqual([16, 16]);
    expect(models.encoder.inputNames).toEqual(['s2', 's1']);
    expect(models.encoder.getLayer('backbone_s1__conv1').getWeights()[0].shape).toEqual([7, 7, 2, 2]);
    const counts: number[] = [];
    // One batch of 8 pairs, seen 10 times at a high constant rate: a fast, robust check that the two encoders and
    // the shared projector learn to match S2 with S1 (on real data this takes many epochs).
    const r = await pretrain({
      method: 'contrastive-s1s2', models, source: source(), trainIndices: train.slice(0, 8), valIndices: val,
      epochs: 10, batchSize: 8, seed: 2, optimizer: { name: 'adam', lr: 1e-2 }, temperature: 0.1, schedule: { kind: 'constant' },
      augment: false,
      onEpochEnd: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    expect(r.history).toHaveLength(10);
    const last = r.history.slice(-3).reduce((a, h) => a + h.train.loss, 0) / 3;
    expect(last).toBeLessThan(r.history[0].train.loss - 0.5);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(r.best).toBeDefined();
    const bestLoss = Math.min(...r.history.map((h) => h.val.loss));
    expect(r.best!.value).toBe(bestLoss);
    for (const h of r.history) expect(h.val.top1).toBeGreaterThanOrEqual(0);
    models.encoder.dispose();
    models.projector.dispose();
  });

  it('simclr over stacked S2+S1 keeps one co-registered crop per view', async () => {
    const models = buildSslModels({ method: 'simclr', backbone: 'resnet18', width: 2, inputSize: SIZE, modalities: ['s1', 's2'], seed: 4 });
    expect(models.encoders).toEqual([expect.objectContaining({ prefix: 'backbone', modalities: ['s2', 's1'], channels: 14 })]);
    const r = await pretrain({
      method: 'simclr', models, source: source(), trainIndices: train, valIndices: val,
      epochs: 1, batchSize: 8, seed: 5, optimizer: { name: 'adam', lr: 1e-3 }, temperature: 0.2,
    });
    expect(Number.isFinite(r.history[0].train.loss)).toBe(true);
    models.encoder.dispose();
    models.projector.dispose();
  });

  it('simclr on a U-Net encoder is deterministic for a seed and cancellable', async () => {
    const run = async () => {
      const models = buildSslModels({ method: 'simclr', backbone: 'unet', width: 2, inputSize: SIZE, modalities: ['s2'], seed: 4 });
      const r = await pretrain({
        method: 'simclr', models, source: source(), trainIndices: train, valIndices: [],
        epochs: 1, batchSize: 8, seed: 5, optimizer: { name: 'adam', lr: 1e-3 }, temperature: 0.2,
      });
      const w = models.encoder.getWeights()[0].dataSync().slice();
      models.encoder.dispose();
      models.projector.dispose();
      return { loss: r.history[0].train.loss, w: Array.from(w) };
    };
    expect(await run()).toEqual(await run());

    const models = buildSslModels({ method: 'simclr', backbone: 'resnet18', width: 2, inputSize: SIZE, seed: 4 });
    const before = tf.memory().numTensors;
    const ac = new AbortController();
    await expect(
      pretrain({
        method: 'simclr', models, source: source(), trainIndices: train, valIndices: val, epochs: 3, batchSize: 8, seed: 5,
        optimizer: { name: 'adam', lr: 1e-3 }, temperature: 0.2, signal: ac.signal,
        onProgress: (p) => p.step === 1 && ac.abort(),
      }),
    ).rejects.toBeInstanceOf(TrainingCancelled);
    expect(tf.memory().numTensors).toBe(before);
    models.encoder.dispose();
    models.projector.dispose();
  });

  it('view augmentation is seeded, keeps the shape, and flips through swapped box corners', () => {
    const x = tf.randomNormal([3, SIZE, SIZE, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const a = augmentView(x, createRng('v'));
    const b = augmentView(x, createRng('v'));
    const c = augmentView(x, createRng('w'));
    expect(a.shape).toEqual(x.shape);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    const boxes = cropBoxes(200, createRng('boxes'));
    for (const [y1, x1, y2, x2] of boxes) {
      const area = Math.abs(y2 - y1) * Math.abs(x2 - x1);
      expect(area).toBeGreaterThan(0.3);
      expect(Math.min(y1, y2, x1, x2)).toBeGreaterThanOrEqual(0);
      expect(Math.max(y1, y2, x1, x2)).toBeLessThanOrEqual(1);
    }
    expect(boxes.some(([, x1, , x2]) => x1 > x2)).toBe(true);
    tf.dispose([x, a, b, c]);
  });
});
