import type * as tf from '@tensorflow/tfjs';
import {
  ERA5_VARIABLES,
  KOPPEN_CLASSES,
  MODALITIES,
  S1_BANDS,
  S2_BANDS,
  WORLDCOVER_CLASSES,
  type ModalityId,
} from '../data/modalities';
import { S1_DB_MAX, S1_DB_MIN, S2_SCALE, type NormalisationStats } from '../data/normalise';
import { inScope, NAME_SEP } from '../models/names';
import { copyScopeWeights, WeightTransferError } from '../models/transfer-weights';
import { isUNetDecoderLayer } from '../models/unet';
import type { TaskModel } from '../models/task-model';
import { applyTransferMode, layerPart } from '../models/task-model';
import type { CheckpointMeta, EncoderInfo, ModalityInfo } from './checkpoint';

/**
 * Transfer learning from a checkpoint (an SSL 'encoder' checkpoint or a trained 'model'): match the checkpoint's
 * encoders to the new model's encoders by the modalities they read, check that everything the weights depend on
 * agrees, copy the weights by layer name, and freeze according to the mode:
 *   linear-probe: only the heads train (plus a U-Net decoder the checkpoint does not have), BatchNorm of frozen
 *                 layers in inference mode;
 *   frozen:       the transferred encoders are frozen; fusion glue, a new decoder and the heads train;
 *   full:         everything trains, the transferred layers at `backboneLrScale` times the learning rate.
 * (models/task-model.ts applyTransferMode decides per layer part.) Encoders without a counterpart in the checkpoint
 * start from scratch and always train.
 *
 * A mismatch is an error that says what differs (TorchGeo's users' most common complaint is weights silently used
 * with another band order or normalisation). Nothing is ever reshaped to fit.
 */

export type TransferMode = 'linear-probe' | 'frozen' | 'full';

export class TransferError extends Error {
  override name = 'TransferError';
}

/** Channel names of a modality, in the order the data layer stacks them (the order weights depend on). */
export function modalityBands(m: ModalityId): string[] {
  switch (m) {
    case 's2':
      return [...S2_BANDS];
    case 's1':
      return [...S1_BANDS];
    case 'dem':
      return ['elevation'];
    case 'worldcover':
      return WORLDCOVER_CLASSES.map((c) => c.name);
    case 'climatezone':
      return [...KOPPEN_CLASSES];
    case 'season':
      return ['season'];
    case 'era5':
      return [...ERA5_VARIABLES];
  }
}

/**
 * The normalisation rule of a modality as the data layer applies it (data/normalise.ts), written into checkpoints.
 * Built from the data layer's constants, so a change there makes old checkpoints fail the check instead of being
 * fed differently scaled inputs.
 */
export function modalityNormalisation(m: ModalityId): string {
  switch (m) {
    case 's2':
      return `clip(DN * ${S2_SCALE}, 0, 1)`;
    case 's1':
      return `(clip(dB, ${S1_DB_MIN}, ${S1_DB_MAX}) - ${S1_DB_MIN}) / ${S1_DB_MAX - S1_DB_MIN}`;
    case 'dem':
    case 'era5':
      return '(x - mean) / std with the stored training statistics';
    case 'worldcover':
    case 'climatezone':
      return 'one-hot';
    case 'season':
      return 'season encoding in [0, 1]';
  }
}

function describe(e: { modalities: ModalityId[]; channels: number }): string {
  return `${e.modalities.join('+')} (${e.channels} channel${e.channels === 1 ? '' : 's'})`;
}

function label(m: ModalityId): string {
  return MODALITIES[m].label;
}

export interface RunSignature {
  backbone: string;
  width: number;
  inputSize: number;
  encoders: EncoderInfo[];
  /** The new run's channel order per modality. */
  modalities: ModalityInfo[];
  /** The new run's heads, to compare with a model checkpoint's heads of the same target. */
  heads: { target: string; task: string; classes: number }[];
}

export interface EncoderMatch {
  /** The checkpoint's encoder. */
  from: EncoderInfo;
  /** The new model's encoder. */
  to: EncoderInfo;
}

/**
 * Checks a checkpoint against a new run and pairs the encoders. Throws TransferError on any mismatch that would make
 * the weights mean something else. New encoders without a counterpart (e.g. a DEM branch next to transferred S2 and
 * S1 branches) start from scratch and are listed in `unmatched`; at least one must match.
 */
export function matchEncoders(meta: CheckpointMeta, run: RunSignature): { matches: EncoderMatch[]; unmatched: EncoderInfo[] } {
  const what = `checkpoint (${meta.kind}, ${meta.backbone} width ${meta.width})`;
  if (meta.backbone !== run.backbone) {
    throw new TransferError(`${what} has a ${meta.backbone} backbone but this run uses ${run.backbone}`);
  }
  if (meta.width !== run.width) {
    throw new TransferError(`${what} has backbone width ${meta.width} but this run uses width ${run.width}`);
  }
  if (meta.inputSize[0] !== run.inputSize || meta.inputSize[1] !== run.inputSize) {
    throw new TransferError(
      `${what} was trained on ${meta.inputSize[0]}x${meta.inputSize[1]} patches but this run uses ${run.inputSize}x${run.inputSize}`,
    );
  }
  const matches: EncoderMatch[] = [];
  const unmatched: EncoderInfo[] = [];
  for (const to of run.encoders) {
    const from = meta.encoders.find(
      (e) => e.modalities.length === to.modalities.length && e.modalities.every((m, i) => m === to.modalities[i]),
    );
    if (!from) {
      unmatched.push(to);
      continue;
    }
    if (from.channels !== to.channels) {
      throw new TransferError(
        `the checkpoint's encoder for ${from.modalities.join('+')} reads ${from.channels} channels, this run's ${to.channels}`,
      );
    }
    matches.push({ from, to });
  }
  if (matches.length === 0) {
    const have = meta.encoders.map(describe).join(', ') || 'none';
    const want = run.encoders.map(describe).join(', ');
    const hint = run.encoders
      .flatMap((to) => to.modalities)
      .filter((m) => !meta.encoders.some((e) => e.modalities.includes(m)))
      .map(label);
    throw new TransferError(
      `no encoder of the checkpoint fits this run: the checkpoint has encoders for ${have}, this run needs ${want}` +
        (hint.length > 0 ? `; the checkpoint has no encoder trained on ${hint.join(', ')}, and an encoder of other input cannot be used` : '') +
        (run.encoders.some((e) => e.modalities.length > 1) ? ' (an early-fusion encoder must have been trained on exactly the same modalities)' : ''),
    );
  }
  // Band order and channel meaning of every transferred modality.
  for (const { from } of matches) {
    for (const m of from.modalities) {
      const theirs = meta.modalities.find((x) => x.id === m);
      const ours = run.modalities.find((x) => x.id === m);
      if (!theirs || !ours) continue;
      if (theirs.bands.length !== ours.bands.length || theirs.bands.some((b, i) => b !== ours.bands[i])) {
        throw new TransferError(
          `band order of ${m} differs: the checkpoint expects [${theirs.bands.join(', ')}], this run has [${ours.bands.join(', ')}]`,
        );
      }
      if (theirs.normalisation !== undefined && ours.normalisation !== undefined && theirs.normalisation !== ours.normalisation) {
        throw new TransferError(
          `normalisation of ${m} differs: the checkpoint's inputs were ${theirs.normalisation}, this run's are ${ours.normalisation}`,
        );
      }
    }
  }
  if (meta.kind === 'model') {
    for (const h of run.heads) {
      const theirs = meta.heads.find((x) => x.target === h.target);
      if (theirs && (theirs.task !== h.task || theirs.classes !== h.classes)) {
        throw new TransferError(
          `the checkpoint's ${h.target} head is ${theirs.task} with ${theirs.classes} classes, this run's is ${h.task} with ${h.classes}`,
        );
      }
    }
  }
  return { matches, unmatched };
}

export interface TransferResult {
  matches: EncoderMatch[];
  unmatched: EncoderInfo[];
  /** Layers whose weights came from the checkpoint. */
  transferredLayers: string[];
  /** Learning-rate multiplier per layer for the optimiser (lrScaleOf in the loop). */
  lrScaleOf: (layerName: string) => number;
  /**
   * The checkpoint's DEM / ERA-5 statistics: the run must standardise its inputs with these (the weights were
   * trained on inputs scaled by them), not with statistics of its own data.
   */
  stats?: NormalisationStats;
  /** Human-readable facts worth logging (layers kept from scratch, engine of origin...). */
  notes: string[];
}

/**
 * Copies the matched encoders' weights into `tm.model` and applies `mode`. `weights` are the checkpoint's weights by
 * name (loadCheckpointWeights); they are not disposed here.
 */
export function applyTransfer(
  tm: TaskModel,
  meta: CheckpointMeta,
  weights: tf.NamedTensorMap,
  run: RunSignature,
  mode: TransferMode,
  backboneLrScale = 0.1,
): TransferResult {
  const { matches, unmatched } = matchEncoders(meta, run);
  const transferred = new Set<string>();
  const notes: string[] = [];
  let copiedTensors = 0;
  for (const { from, to } of matches) {
    // A U-Net decoder comes along only when the checkpoint has one (a trained segmentation model); an SSL encoder
    // checkpoint has the encoder half only and the decoder starts from scratch.
    const hasDecoder = Object.keys(weights).some((name) => {
      if (!name.startsWith(`${from.prefix}${NAME_SEP}`)) return false;
      const layer = name.slice(from.prefix.length + NAME_SEP.length).split('/')[0];
      return isUNetDecoderLayer(layer);
    });
    const part = hasDecoder ? 'all' : 'encoder';
    try {
      copiedTensors += copyScopeWeights(weights, from.prefix, tm.model, to.prefix, { part });
    } catch (err) {
      if (err instanceof WeightTransferError) throw new TransferError(`encoder ${to.prefix} from checkpoint encoder ${from.prefix}: ${err.message}`);
      throw err;
    }
    let scratch = 0;
    for (const layer of tm.model.layers) {
      if (!inScope(layer.name, to.prefix) || layer.weights.length === 0) continue;
      const decoder = isUNetDecoderLayer(layer.name.slice(to.prefix.length + NAME_SEP.length));
      if (decoder && part === 'encoder') scratch += 1;
      else transferred.add(layer.name);
    }
    notes.push(
      `encoder ${to.prefix} (${to.modalities.join('+')}) <- checkpoint encoder ${from.prefix}` +
        (scratch > 0 ? `; the ${scratch} U-Net decoder layers are not in the checkpoint and start from scratch` : ''),
    );
  }
  if (copiedTensors === 0) throw new TransferError('no weight of the checkpoint matched a layer of this model');
  for (const u of unmatched) notes.push(`encoder ${u.prefix} (${u.modalities.join('+')}) has no counterpart and starts from scratch`);
  if (meta.engine.backend) notes.push(`checkpoint written by the ${meta.engine.backend} engine (tfjs ${meta.engine.version})`);

  // The models layer owns what each mode freezes (a U-Net decoder the checkpoint lacks trains even in a probe);
  // encoders without a counterpart in the checkpoint have nothing pretrained to protect, so they always train.
  const decoderTransferred = [...transferred].some((name) => layerPart(tm.spec, name) === 'decoder');
  applyTransferMode(tm, mode, { pretrainedDecoder: decoderTransferred });
  for (const layer of tm.model.layers) {
    if (unmatched.some((u) => inScope(layer.name, u.prefix))) layer.trainable = true;
  }
  return {
    matches,
    unmatched,
    transferredLayers: [...transferred],
    lrScaleOf: (name) => (mode === 'full' && transferred.has(name) ? backboneLrScale : 1),
    stats: meta.stats,
    notes,
  };
}
