import * as tf from '@tensorflow/tfjs';
import type { BatchNormalization, BatchNormalizationLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/normalization';

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
    return super.call(inputs, this.trainable ? kwargs : { ...kwargs, training: false });
  }
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

/** Helper so builders read like the tf.layers factories. */
export function tilePlanes(args: TilePlanesArgs): TilePlanes {
  return new TilePlanes(args);
}

export function freezableBatchNorm(args: BatchNormalizationLayerArgs): FreezableBatchNorm {
  return new FreezableBatchNorm(args);
}
