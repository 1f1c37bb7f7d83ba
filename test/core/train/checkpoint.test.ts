import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initEngine } from '../../../src-main/core/engine';
import { buildTaskModel } from '../../../src-main/core/models/task-model';
import {
  type CheckpointMeta,
  CHECKPOINT_FORMAT,
  loadCheckpoint,
  loadCheckpointWeights,
  readCheckpointMeta,
  recoverCheckpoint,
  writeCheckpoint,
} from '../../../src-main/core/train/checkpoint';

function tinyModel(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: 'enc__input' });
  const conv = tf.layers
    .conv2d({ name: 'enc__conv', filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed }) })
    .apply(input) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: 'enc__bn' }).apply(conv) as tf.SymbolicTensor;
  const pool = tf.layers.globalAveragePooling2d({ name: 'enc__pool' }).apply(bn) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'head__fc', units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(pool) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function meta(extra: Partial<CheckpointMeta> = {}): CheckpointMeta {
  return {
    format: CHECKPOINT_FORMAT,
    version: 1,
    kind: 'model',
    created: '2025-01-01T00:00:00Z',
    engine: { backend: 'wasm', version: '4.22.0' },
    backbone: 'resnet18',
    width: 4,
    inputSize: [8, 8],
    modalities: [{ id: 's1', bands: ['VH', 'VV'], normalisation: '(clip(dB, -25, 0) + 25) / 25' }],
    heads: [{ target: 'lulc', task: 'classification', classes: 3, weight: 1, output: 'head__fc' }],
    encoders: [{ prefix: 'enc', modalities: ['s1'], channels: 3, features: 4 }],
    ...extra,
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tf-ckpt-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoints', () => {
  it('round-trips a model (same predictions, including BN statistics) and its metadata', async () => {
    const model = tinyModel(1);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 7);
    // Move BN moving statistics away from their initial values so the test covers non-trainable weights.
    tf.tidy(() => model.apply(tf.add(x, 3), { training: true }) as tf.Tensor);
    const expected = tf.tidy(() => (model.predict(x) as tf.Tensor).arraySync() as number[][]);
    const ck = join(dir, 'checkpoint');
    await writeCheckpoint(ck, model, meta());
    expect(readdirSync(ck).sort()).toEqual(['meta.json', 'model.json', 'weights.bin']);
    const { model: loaded, meta: m } = await loadCheckpoint(ck);
    expect(m.modalities[0].bands).toEqual(['VH', 'VV']);
    const got = tf.tidy(() => (loaded.predict(x) as tf.Tensor).arraySync() as number[][]);
    got.flat().forEach((v, i) => expect(v).toBeCloseTo(expected.flat()[i], 5));
    const { weights } = await loadCheckpointWeights(ck);
    expect(Object.keys(weights)).toContain('enc__bn/moving_mean');
    expect(weights['enc__conv/kernel'].shape).toEqual([3, 3, 3, 4]);
    tf.dispose([x, weights]);
    model.dispose();
    loaded.dispose();
  });

  it('replaces an existing checkpoint, and a failure while writing leaves the previous one intact and no debris', async () => {
    const ck = join(dir, 'checkpoint');
    const a = tinyModel(1);
    const b = tinyModel(2);
    await writeCheckpoint(ck, a, meta({ training: { epoch: 1 } }));
    await writeCheckpoint(ck, b, meta({ training: { epoch: 2 } }));
    expect((await readCheckpointMeta(ck)).training?.epoch).toBe(2);
    // A BigInt in the metadata makes JSON.stringify throw after model.json and weights.bin are already staged:
    // a write that dies half-way.
    const broken = meta({ training: { epoch: 3, bad: 1n as unknown as number } });
    await expect(writeCheckpoint(ck, a, broken)).rejects.toThrow();
    expect((await readCheckpointMeta(ck)).training?.epoch).toBe(2);
    expect(readdirSync(dir)).toEqual(['checkpoint']);
    const { model } = await loadCheckpoint(ck);
    const w = model.getLayer('enc__conv').getWeights()[0].dataSync();
    expect(Array.from(w)).toEqual(Array.from(b.getLayer('enc__conv').getWeights()[0].dataSync()));
    a.dispose();
    b.dispose();
    model.dispose();
  });

  it('recovers a set-aside checkpoint after a crash between the two renames and drops staging folders', async () => {
    const ck = join(dir, 'checkpoint');
    const a = tinyModel(1);
    await writeCheckpoint(ck, a, meta());
    // Simulate the crash: the previous version renamed aside, the new one never renamed in, a staging folder left.
    const { renameSync } = await import('node:fs');
    renameSync(ck, join(dir, '.checkpoint.old-abcd'));
    mkdirSync(join(dir, '.checkpoint.tmp-ef01'));
    writeFileSync(join(dir, '.checkpoint.tmp-ef01', 'model.json'), '{');
    await recoverCheckpoint(ck);
    expect(readdirSync(dir)).toEqual(['checkpoint']);
    expect(existsSync(join(ck, 'weights.bin'))).toBe(true);
    a.dispose();
  });

  it('refuses a folder that is not a checkpoint', async () => {
    await expect(readCheckpointMeta(dir)).rejects.toThrow(/not a Terrafuse checkpoint/);
  });

  it('a checkpoint written on wasm loads on the cpu engine (and back) with the same predictions', async () => {
    // A real task model, with the custom layers (FreezableBatchNorm, TilePlanes for the season plane).
    const tm = buildTaskModel({ modalities: ['s1', 'season'], backbone: 'unet', width: 2, inputSize: 16, tasks: [{ target: 'worldcover' }, { target: 'lulc' }], seed: 5 });
    const x = [tf.randomNormal([2, 16, 16, 2], 0, 1, 'float32', 3), tf.tensor2d([[0.2], [0.9]])];
    const expected = (tm.model.predict(x) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    const ck = join(dir, 'checkpoint');
    await writeCheckpoint(ck, tm.model, meta());
    tm.model.dispose();
    const xs = x.map((t) => ({ data: t.dataSync().slice(), shape: t.shape }));
    tf.dispose(x);
    try {
      await initEngine({ force: 'cpu' });
      expect(tf.getBackend()).toBe('cpu');
      const { model } = await loadCheckpoint(ck);
      const inputs = xs.map((v) => tf.tensor(v.data, v.shape));
      const got = (model.predict(inputs) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
      got.forEach((out, k) => out.forEach((v, i) => expect(v).toBeCloseTo(expected[k][i], 4)));
      model.dispose();
    } finally {
      await initEngine({ force: 'wasm' });
    }
    expect(tf.getBackend()).toBe('wasm');
  });
});
