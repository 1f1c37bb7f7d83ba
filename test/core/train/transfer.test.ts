import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildResNet18Encoder } from '../../../src-main/core/models/resnet';
import { buildUNetEncoder } from '../../../src-main/core/models/unet';
import { buildTaskModel, type TaskModel } from '../../../src-main/core/models/task-model';
import { CHECKPOINT_FORMAT, type CheckpointMeta, type EncoderInfo } from '../../../src-main/core/train/checkpoint';
import { applyTransfer, matchEncoders, modalityBands, modalityNormalisation, type RunSignature, TransferError } from '../../../src-main/core/train/transfer';
import type { ModalityId } from '../../../src-main/core/data/modalities';

const SIZE = 32;
const WIDTH = 2;

/** An 'encoder' checkpoint in memory: weights by name and metadata, as loadCheckpointWeights returns them. */
function encoderCheckpoint(backbone: 'resnet18' | 'unet', encs: { prefix: string; mod: ModalityId; channels: number }[]) {
  const weights: tf.NamedTensorMap = {};
  const encoders: EncoderInfo[] = [];
  for (const e of encs) {
    const opts = { inputShape: [SIZE, SIZE, e.channels] as [number, number, number], width: WIDTH, seed: 99, name: e.prefix };
    const model = backbone === 'resnet18' ? buildResNet18Encoder(opts) : buildUNetEncoder(opts);
    for (const w of model.weights) weights[w.originalName] = tf.clone(w.read());
    model.dispose();
    encoders.push({ prefix: e.prefix, modalities: [e.mod], channels: e.channels, features: 8 * WIDTH });
  }
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    version: 1,
    kind: 'encoder',
    created: 'now',
    engine: { backend: 'wasm', version: '4.22.0' },
    backbone,
    width: WIDTH,
    inputSize: [SIZE, SIZE],
    modalities: encs.map((e) => ({ id: e.mod, bands: modalityBands(e.mod), normalisation: modalityNormalisation(e.mod) })),
    heads: [],
    encoders,
    stats: { version: 1, dem: { mean: 400, std: 300 }, era5: { mean: [], std: [], variables: [] }, source: { split: 'train', patches: 10 } },
  };
  return { weights, meta };
}

function signature(tm: TaskModel): RunSignature {
  return {
    backbone: tm.spec.backbone,
    width: tm.spec.width,
    inputSize: tm.spec.inputSize,
    encoders: tm.encoders,
    modalities: tm.spec.modalities.map((m) => ({ id: m, bands: modalityBands(m), normalisation: modalityNormalisation(m) })),
    heads: tm.spec.tasks.map((t) => ({ target: t.target, task: t.kind, classes: t.classes })),
  };
}

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

describe('transfer', () => {
  it('copies S2 and S1 encoders into a late-fusion model (full: lower LR on transferred layers)', () => {
    const ck = encoderCheckpoint('resnet18', [
      { prefix: 's2', mod: 's2', channels: 12 },
      { prefix: 's1', mod: 's1', channels: 2 },
    ]);
    const tm = buildTaskModel({ modalities: ['s2', 's1'], fusion: 'late', backbone: 'resnet18', width: WIDTH, inputSize: SIZE, tasks: [{ target: 'lulc' }], seed: 1 });
    const r = applyTransfer(tm, ck.meta, ck.weights, signature(tm), 'full', 0.1);
    expect(r.matches.map((m) => [m.from.prefix, m.to.prefix])).toEqual([
      ['s2', 'backbone_s2'],
      ['s1', 'backbone_s1'],
    ]);
    expect(values(tm.model.getLayer('backbone_s2__conv1').getWeights()[0])).toEqual(values(ck.weights['s2__conv1/kernel']));
    expect(values(tm.model.getLayer('backbone_s1__layer4.1.bn2').getWeights()[3])).toEqual(values(ck.weights['s1__layer4.1.bn2/moving_variance']));
    expect(r.lrScaleOf('backbone_s2__conv1')).toBe(0.1);
    expect(r.lrScaleOf('lulc')).toBe(1);
    expect(tm.model.layers.filter((l) => l.weights.length > 0).every((l) => l.trainable)).toBe(true);
    expect(r.stats?.dem).toEqual({ mean: 400, std: 300 });
    tm.model.dispose();
    tf.dispose(ck.weights);
  });

  it('refuses an S1 encoder for S2 input with a message that says so', () => {
    const ck = encoderCheckpoint('resnet18', [{ prefix: 's1', mod: 's1', channels: 2 }]);
    const tm = buildTaskModel({ modalities: ['s2'], backbone: 'resnet18', width: WIDTH, inputSize: SIZE, tasks: [{ target: 'lulc' }] });
    const run = () => applyTransfer(tm, ck.meta, ck.weights, signature(tm), 'frozen');
    expect(run).toThrow(TransferError);
    expect(run).toThrow(/checkpoint has encoders for s1 \(2 channels\).*needs s2 \(12 channels\).*Sentinel-2/);
    tm.model.dispose();
    tf.dispose(ck.weights);
  });

  it('refuses a different band order, width, backbone or input size', () => {
    const ck = encoderCheckpoint('resnet18', [{ prefix: 's2', mod: 's2', channels: 12 }]);
    const tm = buildTaskModel({ modalities: ['s2'], backbone: 'resnet18', width: WIDTH, inputSize: SIZE, tasks: [{ target: 'lulc' }] });
    const sig = signature(tm);
    const swapped = { ...sig, modalities: [{ id: 's2' as const, bands: ['B02', 'B01', ...modalityBands('s2').slice(2)] }] };
    expect(() => matchEncoders(ck.meta, swapped)).toThrow(/band order of s2 differs/);
    const rescaled = { ...sig, modalities: [{ id: 's2' as const, bands: modalityBands('s2'), normalisation: 'DN / 3000' }] };
    expect(() => matchEncoders(ck.meta, rescaled)).toThrow(/normalisation of s2 differs/);
    expect(() => matchEncoders(ck.meta, { ...sig, width: 4 })).toThrow(/width 2 but this run uses width 4/);
    expect(() => matchEncoders(ck.meta, { ...sig, backbone: 'unet' })).toThrow(/resnet18 backbone but this run uses unet/);
    expect(() => matchEncoders(ck.meta, { ...sig, inputSize: 64 })).toThrow(/32x32 patches but this run uses 64x64/);
    expect(() => matchEncoders({ ...ck.meta, kind: 'model', heads: [{ target: 'lulc', task: 'classification', classes: 3, weight: 1, output: 'lulc' }] }, sig)).toThrow(
      /lulc head is classification with 3 classes/,
    );
    tm.model.dispose();
    tf.dispose(ck.weights);
  });

  it('frozen: freezes the transferred U-Net encoder, trains its decoder and head; linear-probe: heads (and the new decoder)', () => {
    const ck = encoderCheckpoint('unet', [{ prefix: 'enc', mod: 's2', channels: 12 }]);
    ck.meta.encoders[0].prefix = 'enc';
    const spec = { modalities: ['s2' as const], backbone: 'unet' as const, width: WIDTH, inputSize: SIZE, tasks: [{ target: 'worldcover' as const }] };
    const tm = buildTaskModel(spec);
    const r = applyTransfer(tm, ck.meta, ck.weights, signature(tm), 'frozen');
    expect(tm.model.getLayer('backbone__inc.conv1').trainable).toBe(false);
    expect(tm.model.getLayer('backbone__down4.conv.bn2').trainable).toBe(false);
    expect(tm.model.getLayer('backbone__up1.conv.conv1').trainable).toBe(true);
    expect(tm.model.getLayer('worldcover').trainable).toBe(true);
    expect(r.notes.join(' ')).toMatch(/start from scratch/);
    expect(r.lrScaleOf('backbone__inc.conv1')).toBe(1);
    tm.model.dispose();

    const probe = buildTaskModel(spec);
    applyTransfer(probe, ck.meta, ck.weights, signature(probe), 'linear-probe');
    const trainable = probe.model.layers.filter((l) => l.trainable && l.weights.length > 0).map((l) => l.name);
    // The decoder is not in an SSL encoder checkpoint: it trains even in a probe; the encoder does not.
    expect(trainable.filter((n) => !n.startsWith('backbone__up'))).toEqual(['worldcover']);
    expect(trainable.some((n) => n.startsWith('backbone__up1'))).toBe(true);
    expect(probe.model.getLayer('backbone__inc.conv1').trainable).toBe(false);
    probe.model.dispose();
    tf.dispose(ck.weights);
  });

  it('an encoder without a counterpart (DEM next to a transferred S2) starts from scratch and trains, even when frozen', () => {
    const ck = encoderCheckpoint('resnet18', [{ prefix: 's2', mod: 's2', channels: 12 }]);
    const tm = buildTaskModel({ modalities: ['s2', 'dem'], fusion: 'late', backbone: 'resnet18', width: WIDTH, inputSize: SIZE, tasks: [{ target: 'lulc' }] });
    const r = applyTransfer(tm, ck.meta, ck.weights, signature(tm), 'frozen');
    expect(r.unmatched.map((u) => u.prefix)).toEqual(['backbone_dem']);
    expect(tm.model.getLayer('backbone_s2__conv1').trainable).toBe(false);
    expect(tm.model.getLayer('backbone_dem__conv1').trainable).toBe(true);
    expect(r.notes.join('\n')).toMatch(/backbone_dem \(dem\) has no counterpart/);
    tm.model.dispose();
    tf.dispose(ck.weights);
  });

  it('from a trained U-Net segmentation model the decoder comes along too (and is frozen with it)', () => {
    const spec = { modalities: ['s2' as const], backbone: 'unet' as const, width: WIDTH, inputSize: SIZE, tasks: [{ target: 'worldcover' as const }] };
    const trained = buildTaskModel({ ...spec, seed: 11 });
    const weights: tf.NamedTensorMap = {};
    for (const w of trained.model.weights) weights[w.originalName] = w.read();
    const meta: CheckpointMeta = {
      ...encoderCheckpoint('unet', []).meta,
      kind: 'model',
      modalities: [{ id: 's2', bands: modalityBands('s2'), normalisation: modalityNormalisation('s2') }],
      encoders: trained.encoders,
      heads: [{ target: 'worldcover', task: 'segmentation', classes: 11, weight: 1, output: 'worldcover' }],
    };
    const tm = buildTaskModel({ ...spec, seed: 12 });
    applyTransfer(tm, meta, weights, signature(tm), 'frozen');
    expect(values(tm.model.getLayer('backbone__up1.conv.conv1').getWeights()[0])).toEqual(values(trained.model.getLayer('backbone__up1.conv.conv1').getWeights()[0]));
    expect(tm.model.getLayer('backbone__up1.conv.conv1').trainable).toBe(false);
    // Heads are never transferred: the new run's head keeps its own initialisation.
    expect(values(tm.model.getLayer('worldcover').getWeights()[0])).not.toEqual(values(trained.model.getLayer('worldcover').getWeights()[0]));
    tm.model.dispose();
    trained.model.dispose();
  });
});
