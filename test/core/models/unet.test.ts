import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildUNet, buildUNetEncoder, unetFeatureSize } from '../../../src-main/core/models/unet';
import { ramp, roundTrip } from './helpers';

function trainableCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((s, w) => s + tf.util.sizeFromShape(w.shape as number[]), 0);
}

describe('U-Net', () => {
  it('matches the tutorial architecture\'s parameter count', () => {
    // Counted once with a PyTorch transcription of the tutorial's UNet(bilinear=True) without OutConv
    // (python3-torch): 12 input channels, width 64 -> 17,268,096 parameters + 8,832 BN running stats;
    // 14 channels, width 16 -> 1,082,496 + 2,208.
    const big = buildUNet({ inputShape: [120, 120, 12] });
    expect(trainableCount(big)).toBe(17_268_096);
    expect(big.countParams()).toBe(17_268_096 + 8_832);
    big.dispose();
    const small = buildUNet({ inputShape: [120, 120, 14], width: 16 });
    expect(trainableCount(small)).toBe(1_082_496);
    expect(small.countParams()).toBe(1_082_496 + 2_208);
    small.dispose();
  });

  it('returns a feature map at the input size for 120x120 (not divisible by 16) and other sizes', () => {
    for (const size of [120, 50, 32]) {
      const model = buildUNet({ inputShape: [size, size, 3], width: 4 });
      expect(model.outputs[0].shape).toEqual([null, size, size, 4]);
      const x = ramp([1, size, size, 3]);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([1, size, size, 4]);
      tf.dispose([x, y]);
      model.dispose();
    }
    // 120 -> 60 -> 30 -> 15 -> 7: the bottleneck is 7x7 and up1 pads 14 -> 15.
    const model = buildUNet({ inputShape: [120, 120, 3], width: 4 });
    expect(model.getLayer('unet__down4.conv.relu2').outputShape).toEqual([null, 7, 7, 32]);
    expect(model.getLayer('unet__up1.pad').outputShape).toEqual([null, 15, 15, 32]);
    model.dispose();
  });

  it('adds per-pixel logits with classes and exposes a pooled bottleneck encoder', () => {
    const seg = buildUNet({ inputShape: [32, 32, 2], width: 4, classes: 11 });
    expect(seg.outputs[0].shape).toEqual([null, 32, 32, 11]);
    const enc = buildUNetEncoder({ inputShape: [32, 32, 2], width: 4 });
    expect(enc.outputs[0].shape).toEqual([null, unetFeatureSize(4)]);
    expect(unetFeatureSize(4)).toBe(32);
    // The encoder model holds no decoder layers.
    expect(enc.layers.some((l) => l.name.includes('up1'))).toBe(false);
    seg.dispose();
    enc.dispose();
  });

  it('rejects inputs too small for four poolings', () => {
    expect(() => buildUNet({ inputShape: [8, 8, 3], width: 4 })).toThrow(/at least 16x16/);
  });

  it('round-trips through tfjs model artifacts', async () => {
    const model = buildUNet({ inputShape: [24, 24, 3], width: 4, classes: 3, seed: 3 });
    const loaded = await roundTrip(model);
    const x = ramp([1, 24, 24, 3]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });
});
