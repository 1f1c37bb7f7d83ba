import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MODALITIES, type ModalityId } from '../../../src-main/core/data/modalities';
import { buildTaskModel, encoderParts, TilePlanes } from '../../../src-main/core/models';
import { inScope } from '../../../src-main/core/models/names';
import { ramp } from './helpers';

const SIZE = 32;

function inputsFor(modalities: ModalityId[], n: number): tf.Tensor[] {
  return modalities.map((m, i) => {
    const c = MODALITIES[m].channels;
    return MODALITIES[m].kind === 'spatial' ? ramp([n, SIZE, SIZE, c], 1 + i) : ramp([n, c], 1 + i);
  });
}

describe('TilePlanes', () => {
  it('turns [n, c] into constant [n, h, w, c] planes', () => {
    const layer = new TilePlanes({ height: 3, width: 2 });
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 3, 2, 2]);
    const v = y.arraySync() as number[][][][];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 2; c++) {
      expect(v[0][r][c]).toEqual([1, 2]);
      expect(v[1][r][c]).toEqual([3, 4]);
    }
    tf.dispose([x, y]);
  });
});

describe('early fusion', () => {
  it('stacks spatial channels and tiles vector modalities into constant planes, in canonical order', () => {
    // Given out of order; the spec canonicalises to MODALITY_IDS order: s2, s1, season, era5.
    const tm = buildTaskModel({
      modalities: ['era5', 's1', 'season', 's2'],
      fusion: 'early',
      backbone: 'resnet18',
      width: 4,
      inputSize: SIZE,
      tasks: [{ target: 'lulc' }],
    });
    expect(tm.inputNames).toEqual(['s2', 's1', 'season', 'era5']);
    expect(tm.model.inputNames).toEqual(['s2', 's1', 'season', 'era5']);
    const stack = tm.model.getLayer('fusion__stack');
    expect(stack.outputShape).toEqual([null, SIZE, SIZE, 12 + 2 + 1 + 9]);
    const probe = tf.model({ inputs: tm.model.inputs, outputs: stack.output as tf.SymbolicTensor });
    const xs = inputsFor(tm.inputNames, 2);
    const out = probe.predict(xs) as tf.Tensor;
    const s2 = out.slice([0, 0, 0, 0], [2, SIZE, SIZE, 12]);
    const s1 = out.slice([0, 0, 0, 12], [2, SIZE, SIZE, 2]);
    expect(Array.from(s2.dataSync())).toEqual(Array.from(xs[0].dataSync()));
    expect(Array.from(s1.dataSync())).toEqual(Array.from(xs[1].dataSync()));
    const season = xs[2].arraySync() as number[][];
    const era5 = xs[3].arraySync() as number[][];
    const v = out.arraySync() as number[][][][];
    for (const [r, c] of [[0, 0], [5, 17], [SIZE - 1, SIZE - 1]]) {
      for (let n = 0; n < 2; n++) {
        expect(v[n][r][c].slice(14, 15)).toEqual(season[n].map((x) => Math.fround(x)));
        expect(v[n][r][c].slice(15)).toEqual(era5[n].map((x) => Math.fround(x)));
      }
    }
    // One backbone, reading all 24 channels.
    expect(tm.model.getLayer('backbone__conv1').getWeights()[0].shape).toEqual([7, 7, 24, 4]);
    expect(tm.encoders).toEqual([{ prefix: 'backbone', modalities: ['s2', 's1', 'season', 'era5'], channels: 24, features: 32 }]);
    tf.dispose([...xs, out, s2, s1]);
    tm.model.dispose();
  });
});

describe('late fusion', () => {
  it('has one backbone per spatial modality and a dense block for vector modalities', () => {
    const tm = buildTaskModel({
      modalities: ['s2', 's1', 'dem', 'climatezone', 'era5'],
      fusion: 'late',
      backbone: 'resnet18',
      width: 4,
      inputSize: SIZE,
      tasks: [{ target: 'lulc' }],
    });
    const names = tm.model.layers.map((l) => l.name);
    const convsIn = (scope: string) =>
      tm.model.layers.filter((l) => inScope(l.name, scope) && l.getClassName() === 'Conv2D').length;
    // ResNet-18: conv1 + 16 block convs + 3 downsample convs = 20 per backbone.
    expect(convsIn('backbone_s2')).toBe(20);
    expect(convsIn('backbone_s1')).toBe(20);
    expect(convsIn('backbone_dem')).toBe(20);
    expect(names.some((n) => inScope(n, 'backbone'))).toBe(false);
    expect(tm.model.layers.filter((l) => l.getClassName() === 'Conv2D').length).toBe(60);
    expect(tm.model.getLayer('backbone_s1__conv1').getWeights()[0].shape).toEqual([7, 7, 2, 4]);
    expect(tm.model.getLayer('backbone_dem__conv1').getWeights()[0].shape).toEqual([7, 7, 1, 4]);
    // Vector block on climate zone (30) + ERA-5 (9); 3 pooled features of 32 + 8 vector features into the head.
    expect(tm.model.getLayer('vector__dense1').getWeights()[0].shape).toEqual([39, 8]);
    expect(tm.model.getLayer('lulc').getWeights()[0].shape).toEqual([3 * 32 + 8, 11]);
    expect(tm.encoders.map((e) => e.prefix)).toEqual(['backbone_s2', 'backbone_s1', 'backbone_dem']);
    // Distinct backbones, distinct initial weights.
    const w = (n: string) => Array.from(tm.model.getLayer(n).getWeights()[0].dataSync()).slice(0, 8);
    expect(w('backbone_s2__layer4.1.conv2')).not.toEqual(w('backbone_s1__layer4.1.conv2'));
    tm.model.dispose();
  });

  it('concatenates decoder maps per pixel and broadcasts vector features for segmentation', () => {
    const tm = buildTaskModel({
      modalities: ['s2', 's1', 'season'],
      fusion: 'late',
      backbone: 'unet',
      width: 4,
      inputSize: SIZE,
      tasks: [{ target: 'worldcover' }],
    });
    expect(tm.model.getLayer('fusion__tile_vector').outputShape).toEqual([null, SIZE, SIZE, 8]);
    expect(tm.model.getLayer('fusion__concat_map').outputShape).toEqual([null, SIZE, SIZE, 4 + 4 + 8]);
    expect(tm.model.outputs[0].shape).toEqual([null, SIZE, SIZE, 11]);
    tm.model.dispose();
  });

  it('describes its encoders without building a model', () => {
    const parts = encoderParts({ modalities: ['s2', 's1', 'season'], fusion: 'late', backbone: 'unet', width: 16 });
    expect(parts).toEqual([
      { prefix: 'backbone_s2', modalities: ['s2'], channels: 12, features: 128 },
      { prefix: 'backbone_s1', modalities: ['s1'], channels: 2, features: 128 },
    ]);
  });
});
