import * as tf from '@tensorflow/tfjs';
import { createRng } from '../data/rng';

/** tfjs does not re-export its Initializer class from the package root; name it by what the factories return. */
export type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/**
 * Seeded weight initialisers. tfjs initialisers draw from an unseeded global stream unless each one is given its own
 * seed, so every layer gets a seed derived from the model seed and the layer's (unique) name: the same spec and seed
 * give the same initial weights, and adding a layer never changes the weights of the others.
 */
export class LayerSeeds {
  constructor(readonly seed: number) {}

  /** A 31-bit seed for the layer called `name`. */
  for(name: string): number {
    return createRng(`${this.seed}/${name}`).int(2 ** 31 - 1);
  }

  /** Kaiming/He normal, fan_out, for convolutions followed by ReLU (torchvision's ResNet init). */
  convKernel(name: string): Initializer {
    return tf.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal', seed: this.for(name) });
  }

  /** Glorot uniform for dense layers and heads. */
  denseKernel(name: string): Initializer {
    return tf.initializers.glorotUniform({ seed: this.for(name) });
  }
}
