import * as tf from '@tensorflow/tfjs';
import { LayerSeeds } from './init';
import { freezableBatchNorm } from './layers';
import { scoped } from './names';

/**
 * U-Net as in the lecture's tutorial (the common PyTorch "UNet(bilinear=True)"): DoubleConv blocks (3x3 conv - BN -
 * ReLU, twice), an encoder inc/down1..down4 of 64-128-256-512-512 channels (the last is 1024 / 2 because bilinear
 * up-sampling is used), a decoder up1..up4 of bilinear x2 up-sampling, concatenation with the skip connection and a
 * DoubleConv (256, 128, 64, 64 channels, mid channels = half the concatenated input), giving a 64-channel feature
 * map at the input size. `width` scales all of these (w, 2w, 4w, 8w, 8w; 64 as in the tutorial, 16 fits a CPU).
 *
 * Sizes that are not divisible by 16 (ben-ge's 120: 120 -> 60 -> 30 -> 15 -> 7) are handled the tutorial's way:
 * max pooling floors (15 -> 7), and after up-sampling (7 -> 14) the map is zero-padded to the skip's size (15), the
 * extra row/column split as floor(diff/2) before and the rest after. So every size >= 16 works and the output is
 * always exactly the input size. (Padding the input to 128 would cost 14% more compute for nothing.)
 *
 * Other choices, documented:
 * - Convolutions in DoubleConv have no bias (BN follows), as in the tutorial; 'same' padding (3x3, stride 1, so
 *   identical to PyTorch's padding=1).
 * - Up-sampling is tf.layers.upSampling2d with interpolation 'bilinear' (TensorFlow's resize without align_corners;
 *   the tutorial's nn.Upsample uses align_corners=True — an interpolation detail, not a shape difference).
 * - The tutorial's final 1x1 OutConv is not part of the backbone: heads (heads.ts) add it per task.
 * - The encoder output for classification / SSL is the bottleneck (down4) global-average-pooled: 8 * width values.
 */

export const UNET_DEFAULT_WIDTH = 64;

export interface UNetOptions {
  /** [height, width, channels] (NHWC); height and width at least 16. */
  inputShape: [number, number, number];
  /** When given, a 1x1 conv head with this many per-pixel logits is added (the tutorial's OutConv). */
  classes?: number;
  /** Base width (channels of the first block); 64 as in the tutorial. */
  width?: number;
  seed?: number;
  /** Prefix of every layer name (names.ts); default 'unet'. */
  name?: string;
}

export interface UNetTrunkOptions {
  width?: number;
  seed?: number;
  name?: string;
}

/** Length of the pooled bottleneck vector of a U-Net of base width `width`. */
export function unetFeatureSize(width: number = UNET_DEFAULT_WIDTH): number {
  return 8 * width;
}

/** Channels of the decoder's output feature map (at input size). */
export function unetDecoderChannels(width: number = UNET_DEFAULT_WIDTH): number {
  return width;
}

interface Ctx {
  prefix: string;
  seeds: LayerSeeds;
}

function doubleConv(ctx: Ctx, x: tf.SymbolicTensor, name: string, out: number, mid: number = out): tf.SymbolicTensor {
  let y = x;
  [mid, out].forEach((filters, i) => {
    const convName = scoped(ctx.prefix, `${name}.conv${i + 1}`);
    y = tf.layers
      .conv2d({
        name: convName,
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: ctx.seeds.convKernel(convName),
      })
      .apply(y) as tf.SymbolicTensor;
    y = freezableBatchNorm({ name: scoped(ctx.prefix, `${name}.bn${i + 1}`), axis: -1, momentum: 0.9, epsilon: 1e-5 })
      .apply(y) as tf.SymbolicTensor;
    y = tf.layers.reLU({ name: scoped(ctx.prefix, `${name}.relu${i + 1}`) }).apply(y) as tf.SymbolicTensor;
  });
  return y;
}

function spatial(t: tf.SymbolicTensor): [number, number] {
  const [, h, w] = t.shape;
  if (h == null || w == null) throw new Error('U-Net needs a static input height and width');
  return [h, w];
}

/** Bilinear x2, pad (or crop) to the skip's size, concatenate [skip, up], DoubleConv. */
function up(ctx: Ctx, x: tf.SymbolicTensor, skip: tf.SymbolicTensor, name: string, out: number): tf.SymbolicTensor {
  let y = tf.layers
    .upSampling2d({ name: scoped(ctx.prefix, `${name}.up`), size: [2, 2], interpolation: 'bilinear' })
    .apply(x) as tf.SymbolicTensor;
  const [sh, sw] = spatial(skip);
  const [uh, uw] = spatial(y);
  const dh = sh - uh;
  const dw = sw - uw;
  if (dh < 0 || dw < 0) {
    // Cannot happen with floor pooling (2 * floor(s / 2) <= s); kept as a guard for future changes.
    throw new Error(`U-Net: up-sampled map ${uh}x${uw} larger than skip ${sh}x${sw}`);
  }
  if (dh > 0 || dw > 0) {
    y = tf.layers
      .zeroPadding2d({
        name: scoped(ctx.prefix, `${name}.pad`),
        padding: [
          [Math.floor(dh / 2), dh - Math.floor(dh / 2)],
          [Math.floor(dw / 2), dw - Math.floor(dw / 2)],
        ],
      })
      .apply(y) as tf.SymbolicTensor;
  }
  const cat = tf.layers
    .concatenate({ name: scoped(ctx.prefix, `${name}.concat`), axis: -1 })
    .apply([skip, y]) as tf.SymbolicTensor;
  const catChannels = cat.shape[3] as number;
  return doubleConv(ctx, cat, `${name}.conv`, out, Math.floor(catChannels / 2));
}

/**
 * Whether a U-Net layer (name without its scope, e.g. `up2.conv.conv1`) is in the decoder. An encoder checkpoint
 * (SSL) has no decoder, so transfer and freezing treat the two halves separately.
 */
export function isUNetDecoderLayer(suffix: string): boolean {
  return /^up\d/.test(suffix);
}

export interface UNetEncoderOutputs {
  /** Skip connections inc, down1, down2, down3 (full, 1/2, 1/4, 1/8 resolution). */
  skips: tf.SymbolicTensor[];
  /** down4's map (1/16 resolution, 8 * width channels). */
  bottleneck: tf.SymbolicTensor;
  /** The bottleneck global-average-pooled: [n, 8 * width]. */
  pooled: tf.SymbolicTensor;
}

function context(opts: UNetTrunkOptions): Ctx {
  return { prefix: opts.name ?? 'unet', seeds: new LayerSeeds(opts.seed ?? 0) };
}

/** U-Net encoder applied to `x` ([n, h, w, c], h and w >= 16). */
export function unetEncoder(x: tf.SymbolicTensor, opts: UNetTrunkOptions = {}): UNetEncoderOutputs {
  const ctx = context(opts);
  const w = opts.width ?? UNET_DEFAULT_WIDTH;
  const [h, wd] = spatial(x);
  if (h < 16 || wd < 16) throw new Error(`U-Net needs an input of at least 16x16 (four 2x poolings), got ${h}x${wd}`);
  const inc = doubleConv(ctx, x, 'inc', w);
  const skips = [inc];
  let y = inc;
  const widths = [2 * w, 4 * w, 8 * w, 8 * w];
  widths.forEach((filters, i) => {
    const name = `down${i + 1}`;
    const pooled = tf.layers
      .maxPooling2d({ name: scoped(ctx.prefix, `${name}.pool`), poolSize: 2, strides: 2, padding: 'valid' })
      .apply(y) as tf.SymbolicTensor;
    y = doubleConv(ctx, pooled, `${name}.conv`, filters);
    if (i < 3) skips.push(y);
  });
  const pooled = tf.layers
    .globalAveragePooling2d({ name: scoped(ctx.prefix, 'avgpool') })
    .apply(y) as tf.SymbolicTensor;
  return { skips, bottleneck: y, pooled };
}

/** U-Net decoder: from the encoder's outputs to the feature map at input size ([n, h, w, width]). */
export function unetDecoder(enc: UNetEncoderOutputs, opts: UNetTrunkOptions = {}): tf.SymbolicTensor {
  const ctx = context(opts);
  const w = opts.width ?? UNET_DEFAULT_WIDTH;
  const outs = [4 * w, 2 * w, w, w];
  let y = enc.bottleneck;
  outs.forEach((filters, i) => {
    y = up(ctx, y, enc.skips[3 - i], `up${i + 1}`, filters);
  });
  return y;
}

/**
 * U-Net as a model. With `classes`: per-pixel logits [n, h, w, classes] (1x1 conv head); without: the decoder
 * feature map [n, h, w, width].
 */
export function buildUNet(opts: UNetOptions): tf.LayersModel {
  const prefix = opts.name ?? 'unet';
  const trunk: UNetTrunkOptions = { width: opts.width, seed: opts.seed, name: prefix };
  const input = tf.input({ shape: opts.inputShape, name: scoped(prefix, 'input') });
  const map = unetDecoder(unetEncoder(input, trunk), trunk);
  if (opts.classes === undefined) return tf.model({ inputs: input, outputs: map, name: prefix });
  const outName = scoped(prefix, 'outc');
  const logits = tf.layers
    .conv2d({
      name: outName,
      filters: opts.classes,
      kernelSize: 1,
      kernelInitializer: new LayerSeeds(opts.seed ?? 0).denseKernel(outName),
    })
    .apply(map) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: prefix });
}

/** The encoder half only: output the pooled bottleneck [n, 8 * width] (for classification and SSL). */
export function buildUNetEncoder(opts: Omit<UNetOptions, 'classes'>): tf.LayersModel {
  const prefix = opts.name ?? 'unet';
  const input = tf.input({ shape: opts.inputShape, name: scoped(prefix, 'input') });
  const enc = unetEncoder(input, { width: opts.width, seed: opts.seed, name: prefix });
  return tf.model({ inputs: input, outputs: enc.pooled, name: prefix });
}
