import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MODALITIES, type ModalityId, type TargetId } from '../../../src-main/core/data/modalities';
import {
  applyTransferMode,
  buildTaskModel,
  layerPart,
  ModelSpecError,
  parseTaskModelSpec,
  setScopesTrainable,
  type TaskModel,
  type TaskModelSpecInput,
} from '../../../src-main/core/models';
import { multitaskLoss, targetTensor } from '../../../src-main/core/train/losses';
import { ramp, roundTrip } from './helpers';

const SIZE = 32;

function inputsFor(modalities: ModalityId[], n: number): tf.Tensor[] {
  return modalities.map((m, i) => {
    const c = MODALITIES[m].channels;
    return MODALITIES[m].kind === 'spatial' ? ramp([n, SIZE, SIZE, c], 1 + i) : ramp([n, c], 1 + i);
  });
}

/** Fixed targets for a batch of n (deterministic, varied). */
function targetsFor(tm: TaskModel, n: number): tf.Tensor[] {
  return tm.spec.tasks.map((t, k) => {
    switch (t.kind) {
      case 'classification':
        return targetTensor(t.kind, Int32Array.from({ length: n }, (_, i) => (i * 3 + k) % t.classes), n);
      case 'segmentation':
        // Quadrant classes with a nodata stripe (IGNORE_INDEX) in the first row.
        return targetTensor(
          t.kind,
          Int32Array.from({ length: n * SIZE * SIZE }, (_, i) => {
            const p = i % (SIZE * SIZE);
            const r = Math.floor(p / SIZE);
            const c = p % SIZE;
            return r === 0 ? -1 : ((r < SIZE / 2 ? 0 : 2) + (c < SIZE / 2 ? 0 : 1) + Math.floor(i / (SIZE * SIZE))) % t.classes;
          }),
          n,
        );
      case 'multilabel':
        return targetTensor(t.kind, Float32Array.from({ length: n * t.classes }, (_, i) => (i % 3 === 0 ? 1 : 0)), n);
      case 'regression':
        return targetTensor(t.kind, Float32Array.from({ length: n }, (_, i) => i / n), n);
    }
  });
}

function outputsOf(y: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(y) ? y : [y];
}

/** One Adam step in one tidy, as the training loop does it; returns the total loss. */
function step(tm: TaskModel, xs: tf.Tensor[], ys: tf.Tensor[], opt: tf.Optimizer): number {
  return tf.tidy(() => {
    const vars = tm.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = opt.minimize(
      () => multitaskLoss(tm.spec.tasks, ys, outputsOf(tm.model.apply(xs, { training: true }) as tf.Tensor[])).total,
      true,
      vars,
    );
    return (loss as tf.Scalar).dataSync()[0];
  });
}

const base = { width: 4, inputSize: SIZE, seed: 3 };

describe('buildTaskModel: shapes of every backbone / fusion / task combination', () => {
  const cases: { name: string; spec: TaskModelSpecInput; out: Partial<Record<TargetId, number[]>> }[] = [
    { name: 'resnet18 early classification', spec: { ...base, modalities: ['s2'], fusion: 'early', backbone: 'resnet18', tasks: [{ target: 'lulc' }] }, out: { lulc: [11] } },
    { name: 'resnet18 late multilabel', spec: { ...base, modalities: ['s2', 's1', 'era5'], fusion: 'late', backbone: 'resnet18', tasks: [{ target: 'ben19' }] }, out: { ben19: [19] } },
    { name: 'resnet18 early regression', spec: { ...base, modalities: ['s1', 'dem'], fusion: 'early', backbone: 'resnet18', tasks: [{ target: 'season' }] }, out: { season: [1] } },
    { name: 'unet early classification', spec: { ...base, modalities: ['s2', 'season'], fusion: 'early', backbone: 'unet', tasks: [{ target: 'climatezone' }] }, out: { climatezone: [30] } },
    { name: 'unet early segmentation', spec: { ...base, modalities: ['s2', 's1'], fusion: 'early', backbone: 'unet', tasks: [{ target: 'worldcover' }] }, out: { worldcover: [SIZE, SIZE, 11] } },
    { name: 'unet late segmentation', spec: { ...base, modalities: ['s2', 's1'], fusion: 'late', backbone: 'unet', tasks: [{ target: 'worldcover' }] }, out: { worldcover: [SIZE, SIZE, 11] } },
    {
      name: 'unet late multitask (segmentation + classification + multilabel + regression)',
      spec: { ...base, modalities: ['s2', 's1', 'era5'], fusion: 'late', backbone: 'unet', tasks: [{ target: 'worldcover' }, { target: 'lulc' }, { target: 'landcover' }, { target: 'season', weight: 0.5 }] },
      out: { worldcover: [SIZE, SIZE, 11], lulc: [11], landcover: [11], season: [1] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const tm = buildTaskModel(c.spec);
      expect(tm.model.outputNames).toEqual(Object.keys(c.out));
      expect(tm.outputNames).toEqual(Object.keys(c.out));
      expect(tm.model.inputNames).toEqual(tm.spec.modalities);
      const xs = inputsFor(tm.inputNames, 2);
      const ys = outputsOf(tm.model.predict(xs) as tf.Tensor | tf.Tensor[]);
      expect(ys.map((y) => y.shape)).toEqual(Object.values(c.out).map((s) => [2, ...s]));
      tf.dispose([...xs, ...ys]);
      tm.model.dispose();
    });
  }
});

describe('model spec', () => {
  const ok = { modalities: ['s2'], backbone: 'unet', tasks: [{ target: 'worldcover' }] } as const;

  it('fills defaults and derives kind and classes from the target', () => {
    const spec = parseTaskModelSpec(ok);
    expect(spec).toEqual({
      version: 1, modalities: ['s2'], fusion: 'early', backbone: 'unet', width: 64, inputSize: 120, seed: 0,
      tasks: [{ target: 'worldcover', kind: 'segmentation', classes: 11, weight: 1 }],
    });
    // A stored spec parses to itself.
    expect(parseTaskModelSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it('rejects combinations that cannot work, saying why', () => {
    expect(() => parseTaskModelSpec({ ...ok, backbone: 'resnet18' })).toThrow(/segmentation needs the unet backbone/);
    expect(() => parseTaskModelSpec({ ...ok, modalities: ['s2', 'worldcover'], tasks: [{ target: 'lulc' }] })).toThrow(/label leak/);
    expect(() => parseTaskModelSpec({ ...ok, tasks: [{ target: 'lulc', kind: 'multilabel' }] })).toThrow(/classification target/);
    expect(() => parseTaskModelSpec({ ...ok, tasks: [{ target: 'lulc', classes: 10 }] })).toThrow(/11 classes/);
    expect(() => parseTaskModelSpec({ ...ok, modalities: ['s3'] })).toThrow(ModelSpecError);
    expect(() => parseTaskModelSpec({ ...ok, modalities: ['era5'] })).toThrow(/spatial modality/);
    expect(() => parseTaskModelSpec({ ...ok, tasks: [{ target: 'lulc' }, { target: 'lulc' }] })).toThrow(/two heads/);
  });
});

describe('training a tiny multitask model', () => {
  const spec: TaskModelSpecInput = {
    ...base,
    modalities: ['s2', 's1', 'season'],
    fusion: 'late',
    backbone: 'unet',
    tasks: [{ target: 'worldcover' }, { target: 'lulc' }, { target: 'ben19', weight: 0.5 }],
  };

  it('lowers the loss on a fixed batch, with a flat tensor count across steps', () => {
    // The unit setup runs on wasm; the U-Net's gradients (conv, max-pool, bilinear resize, BN) must all exist there.
    expect(tf.getBackend()).toBe('wasm');
    const tm = buildTaskModel(spec);
    const xs = inputsFor(tm.inputNames, 4);
    const ys = targetsFor(tm, 4);
    const opt = tf.train.adam(0.01);
    const losses: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 8; i++) {
      losses.push(step(tm, xs, ys, opt));
      counts.push(tf.memory().numTensors);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[7]).toBeLessThan(losses[0] * 0.8);
    // Adam creates its moment slots on the first step; from then on nothing may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
    opt.dispose();
    tf.dispose([...xs, ...ys]);
    tm.model.dispose();
  });

  it('leaves frozen encoders (weights and BN statistics) unchanged while decoder and heads learn', () => {
    const tm = buildTaskModel(spec);
    applyTransferMode(tm, 'frozen');
    const snapshot = () =>
      new Map(tm.model.weights.map((w) => [w.originalName, Float32Array.from(w.read().dataSync())]));
    const before = snapshot();
    const xs = inputsFor(tm.inputNames, 4);
    const ys = targetsFor(tm, 4);
    const opt = tf.train.adam(0.01);
    step(tm, xs, ys, opt);
    step(tm, xs, ys, opt);
    const after = snapshot();
    let encoder = 0;
    const changed = { head: 0, decoder: 0 };
    for (const layer of tm.model.layers) {
      const part = layerPart(tm.spec, layer.name);
      for (const w of layer.weights) {
        const same = before.get(w.originalName)!.every((v, i) => v === after.get(w.originalName)![i]);
        if (part === 'encoder') {
          encoder++;
          expect(same, w.originalName).toBe(true);
        }
        if ((part === 'head' || part === 'decoder') && !same) changed[part]++;
      }
    }
    // Two U-Net encoders: 10 conv kernels + 10 BNs x (gamma, beta, moving mean, moving variance) each.
    expect(encoder).toBe(2 * 50);
    expect(changed.head).toBeGreaterThan(0);
    expect(changed.decoder).toBeGreaterThan(0);
    // Unfreezing makes them train again (and BN statistics move).
    expect(setScopesTrainable(tm.model, tm.encoders.map((e) => e.prefix), true)).toBeGreaterThan(0);
    // tf.train optimisers key their slots by position in the variable list, so a new variable set needs a new one.
    const opt2 = tf.train.adam(0.01);
    step(tm, xs, ys, opt2);
    opt2.dispose();
    const bn = tm.model.getLayer('backbone_s2__inc.bn1').getWeights();
    const moving = before.get('backbone_s2__inc.bn1/moving_mean')!;
    expect(Array.from(bn[2].dataSync())).not.toEqual(Array.from(moving));
    opt.dispose();
    tf.dispose([...xs, ...ys]);
    tm.model.dispose();
  });

  it('linear-probe trains only the heads (and a U-Net decoder unless it was pretrained too)', () => {
    const tm = buildTaskModel({ ...spec, modalities: ['s2', 'era5'] });
    const trainable = () => tm.model.layers.filter((l) => l.trainable && l.weights.length > 0).map((l) => l.name);
    applyTransferMode(tm, 'linear-probe', { pretrainedDecoder: true });
    expect(trainable().sort()).toEqual(['ben19', 'lulc', 'worldcover']);
    applyTransferMode(tm, 'linear-probe');
    const names = trainable();
    expect(names.filter((n) => !n.startsWith('backbone_s2__up')).sort()).toEqual(['ben19', 'lulc', 'worldcover']);
    expect(names.filter((n) => n.startsWith('backbone_s2__up')).length).toBe(4 * 4); // 4 up blocks x (2 conv + 2 BN)
    // 'frozen' also trains the ERA-5 dense block; 'full' everything.
    applyTransferMode(tm, 'frozen');
    expect(trainable()).toContain('vector__dense1');
    expect(trainable()).not.toContain('backbone_s2__inc.conv1');
    applyTransferMode(tm, 'full');
    expect(trainable().length).toBe(tm.model.layers.filter((l) => l.weights.length > 0).length);
    tm.model.dispose();
  });
});

describe('serialisation', () => {
  it('round-trips a fusion model with custom layers, giving identical outputs', async () => {
    const tm = buildTaskModel({
      ...base,
      modalities: ['s2', 'season', 'era5'],
      fusion: 'early',
      backbone: 'unet',
      tasks: [{ target: 'worldcover' }, { target: 'lulc' }],
    });
    const loaded = await roundTrip(tm.model);
    expect(loaded.inputNames).toEqual(tm.model.inputNames);
    expect(loaded.outputNames).toEqual(tm.model.outputNames);
    const xs = inputsFor(tm.inputNames, 1);
    const a = outputsOf(tm.model.predict(xs) as tf.Tensor[]);
    const b = outputsOf(loaded.predict(xs) as tf.Tensor[]);
    a.forEach((t, i) => expect(Array.from(b[i].dataSync())).toEqual(Array.from(t.dataSync())));
    tf.dispose([...xs, ...a, ...b]);
    tm.model.dispose();
    loaded.dispose();
  });

  it('rebuilds identical initial weights from the stored spec', () => {
    const a = buildTaskModel({ ...base, modalities: ['s1'], backbone: 'resnet18', tasks: [{ target: 'lulc' }] });
    const b = buildTaskModel(JSON.parse(JSON.stringify(a.spec)));
    a.model.weights.forEach((w, i) =>
      expect(Array.from(b.model.weights[i].read().dataSync())).toEqual(Array.from(w.read().dataSync())),
    );
    a.model.dispose();
    b.model.dispose();
  });
});
