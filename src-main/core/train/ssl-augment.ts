import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../data/rng';

/**
 * The strong, per-sample view augmentations SimCLR depends on, applied to a batch tensor [n, h, w, c]:
 * random resized crop (with random horizontal/vertical flips folded into the crop box), per-channel gain and offset
 * jitter (the multispectral counterpart of colour jitter), and additive Gaussian noise. The data layer's own
 * augmentation (flips, 90° rotations on the typed arrays) comes first; these go further because contrastive learning
 * collapses onto trivial cues (mean brightness, exact pixel positions) without them.
 *
 * Every random number comes from `rng`, drawn in JS, so a view is reproducible from the seed.
 */
export interface ViewAugmentOptions {
  /** Range of the crop's area as a fraction of the patch (default [0.35, 1]). */
  cropScale?: [number, number];
  /** Range of the crop's aspect ratio (default [3/4, 4/3]). */
  cropRatio?: [number, number];
  /** Max relative per-channel gain change (default 0.2: gains in [0.8, 1.2]). */
  gain?: number;
  /** Max per-channel offset in standardised units (default 0.2). */
  offset?: number;
  /** Standard deviation of the additive noise in standardised units (default 0.05). */
  noise?: number;
  /** Random horizontal and vertical flips (default true). */
  flip?: boolean;
}

/** Crop boxes [y1, x1, y2, x2] (normalised) for n samples; swapped coordinates flip the crop. */
export function cropBoxes(n: number, rng: Rng, opts: ViewAugmentOptions = {}): number[][] {
  const [smin, smax] = opts.cropScale ?? [0.35, 1];
  const [rmin, rmax] = opts.cropRatio ?? [3 / 4, 4 / 3];
  const boxes: number[][] = [];
  for (let i = 0; i < n; i++) {
    const area = rng.range(smin, smax);
    // Log-uniform aspect ratio, as torchvision's RandomResizedCrop.
    const ratio = Math.exp(rng.range(Math.log(rmin), Math.log(rmax)));
    const h = Math.min(1, Math.sqrt(area / ratio));
    const w = Math.min(1, Math.sqrt(area * ratio));
    const y1 = rng.range(0, 1 - h);
    const x1 = rng.range(0, 1 - w);
    let box = [y1, x1, y1 + h, x1 + w];
    const flip = opts.flip ?? true;
    if (flip && rng.chance(0.5)) box = [box[0], box[3], box[2], box[1]]; // horizontal flip
    if (flip && rng.chance(0.5)) box = [box[2], box[1], box[0], box[3]]; // vertical flip
    boxes.push(box);
  }
  return boxes;
}

/** One augmented view of `x` (NHWC, standardised). Returns a new tensor; `x` is not disposed. */
export function augmentView(x: tf.Tensor4D, rng: Rng, opts: ViewAugmentOptions = {}): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const gain = opts.gain ?? 0.2;
  const offset = opts.offset ?? 0.2;
  const noise = opts.noise ?? 0.05;
  const boxes = cropBoxes(n, rng, opts);
  const gains = new Float32Array(n * c);
  const offsets = new Float32Array(n * c);
  for (let i = 0; i < n * c; i++) {
    gains[i] = 1 + rng.range(-gain, gain);
    offsets[i] = rng.range(-offset, offset);
  }
  const noiseSeed = rng.int(2 ** 31 - 1);
  return tf.tidy(() => {
    const idx = tf.tensor1d(Array.from({ length: n }, (_, i) => i), 'int32');
    let y: tf.Tensor4D = tf.image.cropAndResize(x, tf.tensor2d(boxes, [n, 4]), idx, [h, w], 'bilinear');
    y = tf.add(tf.mul(y, tf.tensor4d(gains, [n, 1, 1, c])), tf.tensor4d(offsets, [n, 1, 1, c]));
    if (noise > 0) y = tf.add(y, tf.randomNormal([n, h, w, c], 0, noise, 'float32', noiseSeed));
    return y;
  });
}
