import type * as tf from '@tensorflow/tfjs';
import { resnet18FeatureSize, resnet18Features } from './resnet';
import type { BackboneKind } from './spec';
import { unetDecoder, unetDecoderChannels, unetEncoder, unetFeatureSize } from './unet';

/** What a backbone gives the heads: a pooled feature vector, and (U-Net, when asked) a per-pixel feature map. */
export interface BackboneOutputs {
  /** [n, features]: ResNet-18's pooled last stage, or U-Net's pooled bottleneck. */
  vector: tf.SymbolicTensor;
  /** [n, h, w, width] at input size (U-Net decoder); only when `needMap`. */
  map?: tf.SymbolicTensor;
}

export interface BackboneOptions {
  kind: BackboneKind;
  width: number;
  seed: number;
  /** Layer-name prefix of this backbone (names.ts), e.g. 'backbone' or 'backbone_s2'. */
  scope: string;
  /** Build the decoder too (segmentation). Only the U-Net has one. */
  needMap: boolean;
}

/**
 * Applies a backbone to `x`. The U-Net decoder is only built when a map is needed: layers applied but left out of
 * the model would still allocate their weights and leak them.
 */
export function applyBackbone(x: tf.SymbolicTensor, opts: BackboneOptions): BackboneOutputs {
  const trunk = { width: opts.width, seed: opts.seed, name: opts.scope };
  if (opts.kind === 'resnet18') {
    if (opts.needMap) throw new Error('ResNet-18 has no decoder: per-pixel outputs need the unet backbone');
    return { vector: resnet18Features(x, trunk) };
  }
  const enc = unetEncoder(x, trunk);
  return { vector: enc.pooled, map: opts.needMap ? unetDecoder(enc, trunk) : undefined };
}

/** Length of a backbone's pooled feature vector. */
export function backboneFeatureSize(kind: BackboneKind, width: number): number {
  return kind === 'resnet18' ? resnet18FeatureSize(width) : unetFeatureSize(width);
}

/** Channels of a backbone's per-pixel map (U-Net only). */
export function backboneMapChannels(kind: BackboneKind, width: number): number {
  if (kind !== 'unet') throw new Error(`${kind} has no per-pixel feature map`);
  return unetDecoderChannels(width);
}
