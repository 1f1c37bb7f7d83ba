import * as tf from '@tensorflow/tfjs';
import type { ModalityId } from '../data/modalities';
import { applyBackbone, backboneFeatureSize } from './backbone';
import { EARLY_BACKBONE_SCOPE, earlyStack, encoderParts, modelInputs, type EncoderPart } from './fusion';
import { LayerSeeds } from './init';
import { scoped } from './names';
import type { BackboneKind } from './spec';

/**
 * Stand-alone encoders and projection heads for self-supervised pretraining. An encoder is the same sub-network a
 * task model contains (same layer names under its scope), so its weights load into a task model by name
 * (transfer-weights.ts). Give it the scope it should have downstream: `backbone` for an early-fusion model,
 * `lateBackboneScope('s2')` = `backbone_s2` for the S2 branch of a late-fusion model (the S1<->S2 contrastive setup
 * trains exactly those two).
 */

export interface EncoderSpec {
  /** Modalities it reads, stacked along channels in this order (vector ones tiled, as in early fusion). */
  modalities: ModalityId[];
  backbone: BackboneKind;
  width: number;
  inputSize: number;
  seed: number;
  /** Layer scope; default 'backbone'. */
  scope?: string;
}

export interface Encoder {
  /** Inputs named by modality id; output [n, features] (pooled features). */
  model: tf.LayersModel;
  part: EncoderPart;
}

export function buildEncoder(spec: EncoderSpec): Encoder {
  const scope = spec.scope ?? EARLY_BACKBONE_SCOPE;
  if (spec.modalities.length === 0) throw new Error('an encoder needs at least one modality');
  const inputs = modelInputs(spec.modalities, spec.inputSize);
  const x = earlyStack(inputs, spec.modalities, spec.inputSize, `${scope}_in`);
  const { vector } = applyBackbone(x, { kind: spec.backbone, width: spec.width, seed: spec.seed, scope, needMap: false });
  const model = tf.model({ inputs, outputs: vector, name: scope });
  const [part] = encoderParts({ modalities: spec.modalities, fusion: 'early', backbone: spec.backbone, width: spec.width });
  return { model, part: { ...part, prefix: scope } };
}

export interface ProjectorOptions {
  inputDim: number;
  /** Hidden units; default inputDim (512 -> 512 -> 256 for a width-64 encoder, the lecture's projector). */
  hiddenDim?: number;
  /** Output units; default inputDim / 2. */
  outputDim?: number;
  seed: number;
  /** Layer scope; default 'projector'. Two projectors in one model need different scopes. */
  scope?: string;
}

/** The projection head as layers applied to `x`: Dense(hidden) - ReLU - Dense(out). */
export function applyProjector(x: tf.SymbolicTensor, opts: ProjectorOptions): tf.SymbolicTensor {
  const scope = opts.scope ?? 'projector';
  const seeds = new LayerSeeds(opts.seed);
  const hidden = opts.hiddenDim ?? opts.inputDim;
  const out = opts.outputDim ?? Math.max(1, Math.floor(opts.inputDim / 2));
  const n1 = scoped(scope, 'dense1');
  const n2 = scoped(scope, 'dense2');
  let y = tf.layers.dense({ name: n1, units: hidden, kernelInitializer: seeds.denseKernel(n1) }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.reLU({ name: scoped(scope, 'relu') }).apply(y) as tf.SymbolicTensor;
  return tf.layers.dense({ name: n2, units: out, kernelInitializer: seeds.denseKernel(n2) }).apply(y) as tf.SymbolicTensor;
}

/** The projection head as a model [n, inputDim] -> [n, outputDim]. */
export function buildProjector(opts: ProjectorOptions): tf.LayersModel {
  const scope = opts.scope ?? 'projector';
  const input = tf.input({ shape: [opts.inputDim], name: scoped(scope, 'input') });
  return tf.model({ inputs: input, outputs: applyProjector(input, opts), name: scope });
}

/** Feature length of an encoder spec (the projector's inputDim). */
export function encoderFeatureSize(spec: Pick<EncoderSpec, 'backbone' | 'width'>): number {
  return backboneFeatureSize(spec.backbone, spec.width);
}
