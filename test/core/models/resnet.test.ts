import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildResNet18, buildResNet18Encoder, resnet18FeatureSize } from '../../../src-main/core/models/resnet';
import { ramp, roundTrip, weightedLayerNames } from './helpers';

/**
 * torchvision's module names that own parameters in resnet18 (`{n.rsplit('.', 1)[0] for n, _ in
 * m.named_parameters()}`), printed once with Debian's python3-torchvision and pasted here.
 */
const TORCHVISION_RESNET18_MODULES = [
  'bn1', 'conv1', 'fc', 'layer1.0.bn1', 'layer1.0.bn2', 'layer1.0.conv1', 'layer1.0.conv2', 'layer1.1.bn1',
  'layer1.1.bn2', 'layer1.1.conv1', 'layer1.1.conv2', 'layer2.0.bn1', 'layer2.0.bn2', 'layer2.0.conv1',
  'layer2.0.conv2', 'layer2.0.downsample.0', 'layer2.0.downsample.1', 'layer2.1.bn1', 'layer2.1.bn2',
  'layer2.1.conv1', 'layer2.1.conv2', 'layer3.0.bn1', 'layer3.0.bn2', 'layer3.0.conv1', 'layer3.0.conv2',
  'layer3.0.downsample.0', 'layer3.0.downsample.1', 'layer3.1.bn1', 'layer3.1.bn2', 'layer3.1.conv1',
  'layer3.1.conv2', 'layer4.0.bn1', 'layer4.0.bn2', 'layer4.0.conv1', 'layer4.0.conv2', 'layer4.0.downsample.0',
  'layer4.0.downsample.1', 'layer4.1.bn1', 'layer4.1.bn2', 'layer4.1.conv1', 'layer4.1.conv2',
];

describe('ResNet-18', () => {
  it('has torchvision\'s parameter count with a 12-band first conv and 11 classes', () => {
    const model = buildResNet18({ inputShape: [120, 120, 12], classes: 11 });
    // torchvision: resnet18(num_classes=11) with conv1 = Conv2d(12, 64, 7, 2, 3, bias=False) has 11,210,379
    // parameters and 9,600 BatchNorm running-mean/var entries (counted with python3-torchvision); tfjs counts both.
    expect(model.countParams()).toBe(11_210_379 + 9_600);
    expect(model.outputs[0].shape).toEqual([null, 11]);
    const trainable = model.trainableWeights.reduce((s, w) => s + tf.util.sizeFromShape(w.shape as number[]), 0);
    expect(trainable).toBe(11_210_379);
    model.dispose();
  });

  it('names its layers like torchvision\'s state dict, under a prefix', () => {
    const model = buildResNet18({ inputShape: [32, 32, 3], classes: 5, width: 8, name: 'rn' });
    const names = weightedLayerNames(model).map((n) => n.replace(/^rn__/, '')).sort();
    expect(names).toEqual([...TORCHVISION_RESNET18_MODULES].sort());
    expect(weightedLayerNames(model).every((n) => n.startsWith('rn__'))).toBe(true);
    model.dispose();
  });

  it('adapts conv1 to the input channels and scales every stage with width', () => {
    const model = buildResNet18({ inputShape: [32, 32, 2], classes: 3, width: 8 });
    const kernel = (name: string) => model.getLayer(`resnet18__${name}`).getWeights()[0].shape;
    expect(kernel('conv1')).toEqual([7, 7, 2, 8]);
    expect(kernel('layer1.1.conv2')).toEqual([3, 3, 8, 8]);
    expect(kernel('layer2.0.downsample.0')).toEqual([1, 1, 8, 16]);
    expect(kernel('layer4.1.conv2')).toEqual([3, 3, 64, 64]);
    expect(kernel('fc')).toEqual([64, 3]);
    model.dispose();
  });

  it('runs a forward pass at 120x120 with torchvision\'s output sizes and an encoder of 8*width features', () => {
    const encoder = buildResNet18Encoder({ inputShape: [120, 120, 4], width: 8 });
    expect(encoder.outputs[0].shape).toEqual([null, resnet18FeatureSize(8)]);
    expect(resnet18FeatureSize()).toBe(512);
    // torchvision: 120 -> conv1 60 -> maxpool 30 -> layer2 15 -> layer3 8 -> layer4 4.
    const spatial = ['conv1', 'maxpool', 'layer1.1.relu2', 'layer2.1.relu2', 'layer3.1.relu2', 'layer4.1.relu2'].map(
      (n) => encoder.getLayer(`resnet18__${n}`).outputShape.slice(1, 3),
    );
    expect(spatial).toEqual([[60, 60], [30, 30], [30, 30], [15, 15], [8, 8], [4, 4]]);
    const x = ramp([2, 120, 120, 4]);
    const y = encoder.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 64]);
    expect(Number.isFinite(y.sum().dataSync()[0])).toBe(true);
    tf.dispose([x, y]);
    encoder.dispose();
  });

  it('initialises deterministically from its seed', () => {
    const a = buildResNet18({ inputShape: [16, 16, 3], classes: 4, width: 4, seed: 7 });
    const b = buildResNet18({ inputShape: [16, 16, 3], classes: 4, width: 4, seed: 7 });
    const c = buildResNet18({ inputShape: [16, 16, 3], classes: 4, width: 4, seed: 8 });
    const w = (m: tf.LayersModel) => Array.from(m.getLayer('resnet18__layer3.0.conv1').getWeights()[0].dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    // Two layers of one model never share a stream.
    const conv2 = Array.from(a.getLayer('resnet18__layer3.0.conv2').getWeights()[0].dataSync()).slice(0, 16);
    expect(w(a).slice(0, 16)).not.toEqual(conv2);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('round-trips through tfjs model artifacts with identical predictions', async () => {
    const model = buildResNet18({ inputShape: [32, 32, 3], classes: 5, width: 4, seed: 1 });
    const loaded = await roundTrip(model);
    const x = ramp([2, 32, 32, 3]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });
});
