import * as tf from '@tensorflow/tfjs';
import { LayerSeeds } from './init';
import { freezableBatchNorm, plainConv2d } from './layers';
import { scoped } from './names';

/**
 * ResNet-18 in torchvision's layout, built with the tf.layers functional API (so it serialises as a tfjs artifact and
 * can be one branch of a multi-input model):
 *
 *   conv1 7x7/2 (no bias) - bn1 - relu - maxpool 3x3/2
 *   layer1..layer4: two BasicBlocks each (3x3 conv-BN-ReLU, 3x3 conv-BN, + identity, ReLU), widths w, 2w, 4w, 8w
 *   (w = `width`, 64 in torchvision); the first block of layer2..4 has stride 2 and a 1x1/2 conv + BN downsample
 *   global average pool -> feature vector of 8w (= 512 * w / 64); optional dense head.
 *
 * Differences from torchvision, on purpose:
 * - conv1 takes any number of input channels (12 for S2, 2 for S1, stacked channels for early fusion).
 * - Padding is TensorFlow 'same' instead of PyTorch's symmetric padding. Output sizes are identical (120 -> 60 -> 30
 *   -> 30 -> 15 -> 8 -> 4), weight shapes are identical, but at stride 2 on an even size TensorFlow pads only at the
 *   bottom/right, so the sampling grid is shifted by one pixel against torchvision. It avoids an explicit pad layer
 *   (an extra copy of the largest activation) and does not matter when training from scratch here.
 * - BatchNorm uses torchvision's hyper-parameters (eps 1e-5, running-average momentum 0.1 = Keras momentum 0.9) and
 *   runs in inference mode while its layer is frozen (layers.ts, FreezableBatchNorm).
 * - Convolutions use torchvision's init (Kaiming normal, fan_out, ReLU gain), seeded per layer (see init.ts).
 */

export interface ResNet18Options {
  /** [height, width, channels] of the input patch (NHWC). */
  inputShape: [number, number, number];
  /** When given, a dense softmax-logit head with this many classes is added (the classifier variant). */
  classes?: number;
  /** Base width (channels of conv1 and layer1); 64 as in torchvision. Features have 8 * width channels. */
  width?: number;
  /** Seed of the initial weights. */
  seed?: number;
  /** Prefix of every layer name (see names.ts); default 'resnet18'. */
  name?: string;
  /**
   * Output activation of the classifier head: 'linear' (logits, what the losses in train/losses.ts expect) or
   * 'softmax'. Default 'linear'.
   */
  headActivation?: 'linear' | 'softmax';
}

export const RESNET18_DEFAULT_WIDTH = 64;

/** Length of the pooled feature vector of a ResNet-18 of base width `width`. */
export function resnet18FeatureSize(width: number = RESNET18_DEFAULT_WIDTH): number {
  return 8 * width;
}

interface Ctx {
  prefix: string;
  seeds: LayerSeeds;
}

function conv(ctx: Ctx, x: tf.SymbolicTensor, name: string, filters: number, kernelSize: number, strides: number) {
  const full = scoped(ctx.prefix, name);
  return plainConv2d({
      name: full,
      filters,
      kernelSize,
      strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: ctx.seeds.convKernel(full),
    }).apply(x) as tf.SymbolicTensor;
}

function bn(ctx: Ctx, x: tf.SymbolicTensor, name: string) {
  return freezableBatchNorm({ name: scoped(ctx.prefix, name), axis: -1, momentum: 0.9, epsilon: 1e-5 }).apply(
    x,
  ) as tf.SymbolicTensor;
}

function relu(ctx: Ctx, x: tf.SymbolicTensor, name: string) {
  return tf.layers.reLU({ name: scoped(ctx.prefix, name) }).apply(x) as tf.SymbolicTensor;
}

/** torchvision BasicBlock (expansion 1). Names follow torchvision's state-dict keys, e.g. `layer2.0.downsample.0`. */
function basicBlock(ctx: Ctx, x: tf.SymbolicTensor, name: string, filters: number, strides: number) {
  const inChannels = x.shape[x.shape.length - 1];
  let out = conv(ctx, x, `${name}.conv1`, filters, 3, strides);
  out = bn(ctx, out, `${name}.bn1`);
  out = relu(ctx, out, `${name}.relu1`);
  out = conv(ctx, out, `${name}.conv2`, filters, 3, 1);
  out = bn(ctx, out, `${name}.bn2`);
  let identity = x;
  if (strides !== 1 || inChannels !== filters) {
    identity = conv(ctx, x, `${name}.downsample.0`, filters, 1, strides);
    identity = bn(ctx, identity, `${name}.downsample.1`);
  }
  const sum = tf.layers.add({ name: scoped(ctx.prefix, `${name}.add`) }).apply([out, identity]) as tf.SymbolicTensor;
  return relu(ctx, sum, `${name}.relu2`);
}

export interface ResNet18TrunkOptions {
  width?: number;
  seed?: number;
  name?: string;
}

/**
 * The ResNet-18 stem and four stages applied to `x` ([n, h, w, c]); returns the last stage's feature map
 * ([n, ceil(h/32), ceil(w/32), 8 * width]). Used by the encoder and by fusion models that need the map.
 */
export function resnet18FeatureMap(x: tf.SymbolicTensor, opts: ResNet18TrunkOptions = {}): tf.SymbolicTensor {
  const width = opts.width ?? RESNET18_DEFAULT_WIDTH;
  const ctx: Ctx = { prefix: opts.name ?? 'resnet18', seeds: new LayerSeeds(opts.seed ?? 0) };
  let y = conv(ctx, x, 'conv1', width, 7, 2);
  y = bn(ctx, y, 'bn1');
  y = relu(ctx, y, 'relu');
  y = tf.layers
    .maxPooling2d({ name: scoped(ctx.prefix, 'maxpool'), poolSize: 3, strides: 2, padding: 'same' })
    .apply(y) as tf.SymbolicTensor;
  const stages = [width, 2 * width, 4 * width, 8 * width];
  stages.forEach((filters, s) => {
    for (let b = 0; b < 2; b++) {
      y = basicBlock(ctx, y, `layer${s + 1}.${b}`, filters, s > 0 && b === 0 ? 2 : 1);
    }
  });
  return y;
}

/** ResNet-18 trunk + global average pool applied to `x`: the feature vector [n, 8 * width]. */
export function resnet18Features(x: tf.SymbolicTensor, opts: ResNet18TrunkOptions = {}): tf.SymbolicTensor {
  const map = resnet18FeatureMap(x, opts);
  return tf.layers
    .globalAveragePooling2d({ name: scoped(opts.name ?? 'resnet18', 'avgpool') })
    .apply(map) as tf.SymbolicTensor;
}

/**
 * ResNet-18 as a model. With `classes`: the classifier (output [n, classes], logits unless headActivation
 * 'softmax'); without: the encoder (output [n, 8 * width]).
 */
export function buildResNet18(opts: ResNet18Options): tf.LayersModel {
  const prefix = opts.name ?? 'resnet18';
  const input = tf.input({ shape: opts.inputShape, name: scoped(prefix, 'input') });
  const features = resnet18Features(input, { width: opts.width, seed: opts.seed, name: prefix });
  if (opts.classes === undefined) {
    return tf.model({ inputs: input, outputs: features, name: prefix });
  }
  const fcName = scoped(prefix, 'fc');
  const logits = tf.layers
    .dense({
      name: fcName,
      units: opts.classes,
      activation: opts.headActivation ?? 'linear',
      kernelInitializer: new LayerSeeds(opts.seed ?? 0).denseKernel(fcName),
    })
    .apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: prefix });
}

/** The encoder variant: ResNet-18 without head, output the pooled feature vector [n, 8 * width]. */
export function buildResNet18Encoder(opts: Omit<ResNet18Options, 'classes' | 'headActivation'>): tf.LayersModel {
  return buildResNet18({ ...opts, classes: undefined });
}
