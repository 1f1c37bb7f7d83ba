import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  buildEncoder,
  buildProjector,
  buildTaskModel,
  copyScopeWeights,
  encoderFeatureSize,
  lateBackboneScope,
  namedWeights,
  WeightTransferError,
} from '../../../src-main/core/models';
import { roundTrip } from './helpers';

const base = { width: 4, inputSize: 32, seed: 11 };

describe('SSL encoders and weight transfer', () => {
  it('builds an encoder and the lecture projector (features -> features -> features / 2)', () => {
    const enc = buildEncoder({ ...base, modalities: ['s2'], backbone: 'resnet18', scope: lateBackboneScope('s2') });
    expect(enc.model.inputNames).toEqual(['s2']);
    expect(enc.model.outputs[0].shape).toEqual([null, 32]);
    expect(enc.part).toEqual({ prefix: 'backbone_s2', modalities: ['s2'], channels: 12, features: 32 });
    const proj = buildProjector({ inputDim: encoderFeatureSize({ backbone: 'resnet18', width: 64 }), seed: 1 });
    expect(proj.layers.map((l) => l.outputShape)).toEqual([[null, 512], [null, 512], [null, 512], [null, 256]]);
    enc.model.dispose();
    proj.dispose();
  });

  it('copies an S2 encoder into the S2 branch of a late-fusion model and into an early-fusion backbone', async () => {
    const enc = buildEncoder({ ...base, seed: 99, modalities: ['s2'], backbone: 'unet', scope: 'backbone_s2' });
    // Through a save/load, as from a checkpoint.
    const saved = namedWeights(await roundTrip(enc.model));
    const late = buildTaskModel({ ...base, modalities: ['s2', 's1'], fusion: 'late', backbone: 'unet', tasks: [{ target: 'worldcover' }] });
    const n = copyScopeWeights(saved, 'backbone_s2', late.model, 'backbone_s2');
    // U-Net encoder: inc + 4 downs = 5 DoubleConvs = 10 convs (1 weight) + 10 BNs (4 weights).
    expect(n).toBe(50);
    const val = (m: tf.LayersModel, name: string) => Array.from(m.getLayer(name).getWeights()[0].dataSync());
    expect(val(late.model, 'backbone_s2__down4.conv.conv2')).toEqual(val(enc.model, 'backbone_s2__down4.conv.conv2'));
    // The S1 branch is untouched.
    const s1Before = val(buildTaskModel({ ...base, modalities: ['s2', 's1'], fusion: 'late', backbone: 'unet', tasks: [{ target: 'worldcover' }] }).model, 'backbone_s1__inc.conv1');
    expect(val(late.model, 'backbone_s1__inc.conv1')).toEqual(s1Before);

    const early = buildTaskModel({ ...base, modalities: ['s2'], backbone: 'unet', tasks: [{ target: 'lulc' }] });
    copyScopeWeights(saved, 'backbone_s2', early.model, 'backbone');
    expect(val(early.model, 'backbone__inc.conv1')).toEqual(val(enc.model, 'backbone_s2__inc.conv1'));
    enc.model.dispose();
    late.model.dispose();
    early.model.dispose();
  });

  it('refuses an S1 encoder for an S2 branch (channel mismatch) without changing anything', () => {
    const s1 = buildEncoder({ ...base, modalities: ['s1'], backbone: 'resnet18', scope: 'backbone_s1' });
    const tm = buildTaskModel({ ...base, modalities: ['s2'], backbone: 'resnet18', tasks: [{ target: 'lulc' }] });
    const before = Array.from(tm.model.getLayer('backbone__bn1').getWeights()[0].dataSync());
    const attempt = () => copyScopeWeights(namedWeights(s1.model), 'backbone_s1', tm.model, 'backbone');
    expect(attempt).toThrow(WeightTransferError);
    expect(attempt).toThrow(/\[7, 7, 2, 4\].*\[7, 7, 12, 4\].*different number of channels/);
    expect(Array.from(tm.model.getLayer('backbone__bn1').getWeights()[0].dataSync())).toEqual(before);
    expect(() => copyScopeWeights(namedWeights(s1.model), 'backbone_s2', tm.model, 'backbone')).toThrow(/source scopes: backbone_s1/);
    s1.model.dispose();
    tm.model.dispose();
  });
});
