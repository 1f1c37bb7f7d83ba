import * as tf from '@tensorflow/tfjs';
import type { BatchNormalization, BatchNormalizationLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/normalization';
import type { Conv2D, ConvLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional';
import { batchNormTrain } from '../engine/batch-norm-train';

/**
 * Terrafuse's own tfjs layers, registered with tfjs serialisation so models containing them round-trip through
 * `model.save` / `tf.loadLayersModel` (importing this module — models/index.ts does — is what registers them).
 */

type Kwargs = Record<string, unknown>;
type BatchNormCtor = (new (args?: BatchNormalizationLayerArgs) => BatchNormalization) &
  { className: string } & Pick<typeof tf.layers.Layer, 'fromConfig'>;

/*
 * The BatchNormalization class is taken from a live instance rather than imported from tfjs-layers' dist folder: in
 * Node @tensorflow/tfjs resolves to its own bundle, so a deep import would load a second copy of tfjs-layers whose
 * classes are not the ones the rest of the model uses.
 */
const BatchNormalizationBase = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as BatchNormCtor;

/**
 * BatchNormalization that runs in inference mode while frozen (trainable = false): it normalises with its moving
 * statistics and does not update them, as Keras does since TF 2. tfjs' own layer updates the moving mean and variance
 * on every training call even when frozen, so a "frozen" backbone would still drift during a linear probe.
 */
export class FreezableBatchNorm extends BatchNormalizationBase {
  static override className = 'TerrafuseFreezableBatchNorm';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    if (this.trainable && kwargs.training === true) {
      const fused = this.trainFused(Array.isArray(inputs) ? inputs[0] : inputs);
      if (fused !== undefined) return fused;
    }
    return super.call(inputs, this.trainable ? kwargs : { ...kwargs, training: false });
  }

  /**
   * Training mode with batch statistics over every axis but the channel axis (what every model here uses), as the
   * engine's batchNormTrain: the same maths and moving-average updates as tfjs' BatchNormalization.call, with one
   * gradient node instead of tfjs' op-by-op derivative of tf.moments + tf.batchNorm. Other layouts (channel axis
   * not last, no scale/offset) return undefined and take tfjs' path.
   */
  private trainFused(x: tf.Tensor): tf.Tensor | undefined {
    const self = this as unknown as BatchNormInternals;
    const axis = self.axis >= 0 ? self.axis : self.axis + x.rank;
    if (x.rank < 2 || axis !== x.rank - 1 || self.gamma === undefined || self.beta === undefined) return undefined;
    const { gamma, beta } = self;
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTrain(x, gamma.read(), beta.read(), self.epsilon);
      // As tfjs: moving ← moving − (moving − batch)·(1 − momentum), with the biased batch variance.
      for (const [variable, value] of [
        [self.movingMean, mean],
        [self.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const current = variable.read();
          variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - self.momentum)));
        });
      }
      tf.dispose([mean, variance]);
      return y;
    });
  }
}

/** The fields of tfjs' BatchNormalization this layer reads (private in its typings, plain fields at runtime). */
interface LayerWeight {
  read(): tf.Tensor;
  write(value: tf.Tensor): unknown;
}
interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: LayerWeight;
  beta?: LayerWeight;
  movingMean: LayerWeight;
  movingVariance: LayerWeight;
}
tf.serialization.registerClass(FreezableBatchNorm);

export interface TilePlanesArgs {
  height: number;
  width: number;
  name?: string;
  trainable?: boolean;
}

/**
 * [n, c] -> [n, height, width, c]: each per-patch value becomes a constant plane of the patch size. Early fusion uses
 * it to stack vector modalities (season, climate zone, ERA-5) with the image channels; late fusion uses it to broadcast
 * per-patch features to every pixel before a segmentation head. It lives inside the model so that each modality stays
 * one model input of its natural shape.
 */
export class TilePlanes extends tf.layers.Layer {
  static className = 'TerrafuseTilePlanes';
  private readonly height: number;
  private readonly planeWidth: number;

  constructor(args: TilePlanesArgs) {
    super({ name: args.name, trainable: args.trainable });
    if (!(args.height > 0 && args.width > 0)) throw new Error(`TilePlanes needs positive height and width`);
    this.height = args.height;
    this.planeWidth = args.width;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 2) throw new Error(`TilePlanes expects [n, c] input, got [${shape.join(', ')}]`);
    return [shape[0], this.height, this.planeWidth, shape[1]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [n, c] = x.shape;
      return tf.tile(tf.reshape(x, [n, 1, 1, c]), [1, this.height, this.planeWidth, 1]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), height: this.height, width: this.planeWidth };
  }
}
tf.serialization.registerClass(TilePlanes);

type Conv2DCtor = (new (args: ConvLayerArgs) => Conv2D) & { className: string };
const Conv2DBase = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })).constructor as Conv2DCtor;

/**
 * tfjs' Conv2D, taped as a plain convolution when it has no bias and no activation (every convolution of the
 * ResNet). tfjs runs such a layer through fused.conv2d, whose custom gradient computes the input gradient and the
 * filter gradient together, needed or not; the plain conv2d's gradient computes each only when the tape asks
 * for it, so a convolution on the model's input (data, no gradient wanted) skips its input gradient — for
 * ResNet-18's 7×7 stem on 12 bands, a convolution as large as its forward pass. Forward maths, weights and
 * config are Conv2D's, and so is the class name: saved models are plain tfjs Conv2D layers and load as such.
 */
export class PlainConv2D extends Conv2DBase {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const plain =
      !this.useBias && this.activation.getClassName() === 'linear' && this.rank === 2 && this.dataFormat === 'channelsLast';
    if (!plain) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [sh, sw] = this.strides;
      const [dh, dw] = this.dilationRate;
      return tf.conv2d(x, this.kernel.read() as tf.Tensor4D, [sh, sw], this.padding as 'same' | 'valid', 'NHWC', [dh, dw]);
    });
  }
}

export function plainConv2d(args: ConvLayerArgs): PlainConv2D {
  return new PlainConv2D(args);
}

/** Helper so builders read like the tf.layers factories. */
export function tilePlanes(args: TilePlanesArgs): TilePlanes {
  return new TilePlanes(args);
}

export function freezableBatchNorm(args: BatchNormalizationLayerArgs): FreezableBatchNorm {
  return new FreezableBatchNorm(args);
}
