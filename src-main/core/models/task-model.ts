import * as tf from '@tensorflow/tfjs';
import type { ModalityId, TargetId } from '../data/modalities';
import { encoderParts, buildFusionTrunk, FUSION_SCOPE, VECTOR_SCOPE, type EncoderPart } from './fusion';
import { applyHead, headName, isPixelTask } from './heads';
import { LayerSeeds } from './init';
import { inScope, NAME_SEP } from './names';
import { isUNetDecoderLayer } from './unet';
import { parseTaskModelSpec, type TaskModelSpec, type TaskModelSpecInput } from './spec';

/**
 * Assembly of a (multitask) model: fusion trunk + one head per task, as one tf.LayersModel with
 *   inputs  named by modality id, in spec.modalities order ([n, size, size, c] spatial, [n, c] vector);
 *   outputs named by target id, in spec.tasks order (logits / values, see heads.ts).
 * The normalised spec goes into the checkpoint (CheckpointMeta.modelSpec); `buildTaskModel(spec)` with the same
 * spec and seed rebuilds the same model.
 */

export interface TaskModel {
  model: tf.LayersModel;
  /** The normalised spec the model was built from (store this in the checkpoint). */
  spec: TaskModelSpec;
  /** Input names, = spec.modalities. */
  inputNames: ModalityId[];
  /** Output names, = spec.tasks targets, in model output order. */
  outputNames: TargetId[];
  /** The backbones (layer scopes and the modalities each reads). */
  encoders: EncoderPart[];
}

/** Builds the model of a spec (parsed and validated first; throws ModelSpecError on a bad spec). */
export function buildTaskModel(input: TaskModelSpecInput | TaskModelSpec): TaskModel {
  const spec = parseTaskModelSpec(input);
  const trunk = buildFusionTrunk({
    modalities: spec.modalities,
    fusion: spec.fusion,
    backbone: spec.backbone,
    width: spec.width,
    inputSize: spec.inputSize,
    seed: spec.seed,
    needMap: spec.tasks.some((t) => isPixelTask(t.kind)),
  });
  const seeds = new LayerSeeds(spec.seed);
  const outputs = spec.tasks.map((t) => applyHead(t, trunk, seeds));
  const model = tf.model({ inputs: trunk.inputs, outputs, name: 'terrafuse_task_model' });
  return {
    model,
    spec,
    inputNames: [...spec.modalities],
    outputNames: spec.tasks.map((t) => t.target),
    encoders: encoderParts(spec),
  };
}

/**
 * Which part of a task model a layer belongs to: a backbone's 'encoder' (all of a ResNet-18, the inc/down half of
 * a U-Net) or 'decoder' (U-Net up half), the fusion glue and late-fusion vector block ('fusion'), a 'head', or a
 * model 'input'.
 */
export type LayerPart = 'encoder' | 'decoder' | 'fusion' | 'head' | 'input';

export function layerPart(spec: TaskModelSpec, layerName: string): LayerPart {
  if (spec.modalities.includes(layerName as ModalityId)) return 'input';
  if (spec.tasks.some((t) => headName(t.target) === layerName)) return 'head';
  const backbone = encoderParts(spec).find((e) => inScope(layerName, e.prefix));
  if (backbone) {
    return isUNetDecoderLayer(layerName.slice(backbone.prefix.length + NAME_SEP.length)) ? 'decoder' : 'encoder';
  }
  if (inScope(layerName, FUSION_SCOPE) || inScope(layerName, VECTOR_SCOPE)) return 'fusion';
  throw new Error(`layer "${layerName}" belongs to no known part of the model`);
}

/** Whether a layer is in a backbone (encoder or decoder). */
export function isBackboneLayer(spec: TaskModelSpec, layerName: string): boolean {
  const part = layerPart(spec, layerName);
  return part === 'encoder' || part === 'decoder';
}

/**
 * Sets `trainable` on every layer whose name is in one of `scopes` (layer-name prefixes, names.ts). Returns how many
 * layers changed. Frozen BatchNorm layers also stop updating their statistics (FreezableBatchNorm). Take
 * `model.trainableWeights` again after calling this.
 */
export function setScopesTrainable(model: tf.LayersModel, scopes: string[], trainable: boolean): number {
  let n = 0;
  for (const layer of model.layers) {
    if (scopes.some((s) => inScope(layer.name, s))) {
      layer.trainable = trainable;
      n++;
    }
  }
  return n;
}

export type TransferMode = 'linear-probe' | 'frozen' | 'full';

/**
 * Freezing for transfer from pretrained weights:
 * - 'full': everything trains (a lower backbone learning rate is the optimiser's job: give train/loop.ts
 *   paramGroups an lrScaleOf built on `isBackboneLayer`);
 * - 'frozen': the pretrained encoders are frozen; decoder, fusion glue and heads train;
 * - 'linear-probe': only the heads train.
 * A U-Net decoder counts as pretrained only with `pretrainedDecoder` (weights from a trained segmentation model);
 * otherwise (an SSL encoder checkpoint has no decoder) it is new and trains in both frozen modes — a probe reading
 * random decoder features would measure nothing.
 */
export function applyTransferMode(tm: TaskModel, mode: TransferMode, opts: { pretrainedDecoder?: boolean } = {}): void {
  for (const layer of tm.model.layers) {
    const part = layerPart(tm.spec, layer.name);
    if (part === 'input') continue;
    let trainable: boolean;
    if (mode === 'full' || part === 'head') trainable = true;
    else if (part === 'encoder') trainable = false;
    else if (part === 'decoder') trainable = !opts.pretrainedDecoder;
    else trainable = mode === 'frozen';
    layer.trainable = trainable;
  }
}
