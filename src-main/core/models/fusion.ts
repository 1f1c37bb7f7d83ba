import * as tf from '@tensorflow/tfjs';
import { MODALITIES, type ModalityId } from '../data/modalities';
import { applyBackbone, backboneFeatureSize } from './backbone';
import { LayerSeeds } from './init';
import { tilePlanes } from './layers';
import { scoped } from './names';
import {
  modalityInputShape,
  spatialModalities,
  vectorModalities,
  type BackboneKind,
  type FusionKind,
} from './spec';

/**
 * Fusion of any set of modalities into one trunk (features for the heads).
 *
 * early: every modality is one model input; vector modalities ([n, c]: season, climate-zone one-hot, ERA-5) are
 *   tiled inside the model into constant planes of the patch size (TilePlanes), all inputs are concatenated along
 *   channels in spec order (MODALITY_IDS order) and go through ONE backbone, scope `backbone`.
 * late: one backbone per spatial modality, scope `backbone_${id}`; the vector modalities, concatenated, go through a
 *   small dense block (scope `vector`: two Dense + ReLU of 2 * width units); the pooled features of all branches are
 *   concatenated for patch-level heads. For per-pixel heads the decoder maps are concatenated per pixel and the
 *   vector block's output is broadcast to every pixel (TilePlanes) and concatenated too.
 *
 * Layer scopes (names.ts) are how freezing, transfer and checkpoints find a sub-network; see `encoderParts`.
 */

export const EARLY_BACKBONE_SCOPE = 'backbone';
export const VECTOR_SCOPE = 'vector';
export const FUSION_SCOPE = 'fusion';

/** The backbone scope that reads modality `m` in a late-fusion model. */
export function lateBackboneScope(m: ModalityId): string {
  return `${EARLY_BACKBONE_SCOPE}_${m}`;
}

/** Units of the late-fusion dense block for vector modalities. */
export function vectorBlockUnits(width: number): number {
  return 2 * width;
}

export interface FusionOptions {
  modalities: ModalityId[];
  fusion: FusionKind;
  backbone: BackboneKind;
  width: number;
  inputSize: number;
  seed: number;
  /** Per-pixel features are needed (a segmentation head). */
  needMap: boolean;
}

export interface FusionTrunk {
  /** One input per modality, in `modalities` order, each named by its modality id. */
  inputs: tf.SymbolicTensor[];
  /** [n, F] features for patch-level heads. */
  vector: tf.SymbolicTensor;
  /** [n, size, size, C] features for per-pixel heads (only with needMap). */
  map?: tf.SymbolicTensor;
}

/**
 * One encoder (backbone) of a model: its layer scope and the modalities whose channels it reads, stacked in this
 * order. Matches the checkpoint metadata's EncoderInfo (train/checkpoint.ts).
 */
export interface EncoderPart {
  prefix: string;
  modalities: ModalityId[];
  /** Input channels of its first convolution. */
  channels: number;
  /** Length of its pooled feature vector. */
  features: number;
}

/** The encoders a fusion trunk contains (early: one over all modalities; late: one per spatial modality). */
export function encoderParts(opts: Pick<FusionOptions, 'modalities' | 'fusion' | 'backbone' | 'width'>): EncoderPart[] {
  const features = backboneFeatureSize(opts.backbone, opts.width);
  if (opts.fusion === 'early') {
    const channels = opts.modalities.reduce((s, m) => s + MODALITIES[m].channels, 0);
    return [{ prefix: EARLY_BACKBONE_SCOPE, modalities: [...opts.modalities], channels, features }];
  }
  return spatialModalities(opts).map((m) => ({
    prefix: lateBackboneScope(m),
    modalities: [m],
    channels: MODALITIES[m].channels,
    features,
  }));
}

function concat(name: string, xs: tf.SymbolicTensor[]): tf.SymbolicTensor {
  if (xs.length === 1) return xs[0];
  return tf.layers.concatenate({ name, axis: -1 }).apply(xs) as tf.SymbolicTensor;
}

export function modelInputs(modalities: ModalityId[], inputSize: number): tf.SymbolicTensor[] {
  return modalities.map((m) => tf.input({ shape: modalityInputShape(m, inputSize), name: m }));
}

/**
 * Early fusion: inputs -> tiled vector planes -> channel stack, ready for one backbone. `scope` names the
 * (weightless) tile and stack layers; it only has to differ between two stacks in one model.
 */
export function earlyStack(
  inputs: tf.SymbolicTensor[],
  modalities: ModalityId[],
  inputSize: number,
  scope: string = FUSION_SCOPE,
): tf.SymbolicTensor {
  const planes = inputs.map((x, i) => {
    const m = modalities[i];
    if (MODALITIES[m].kind === 'spatial') return x;
    return tilePlanes({ name: scoped(scope, `tile_${m}`), height: inputSize, width: inputSize }).apply(
      x,
    ) as tf.SymbolicTensor;
  });
  return concat(scoped(scope, 'stack'), planes);
}

/** The dense block for vector modalities in late fusion: [n, sum c] -> [n, 2 * width]. */
function vectorBlock(xs: tf.SymbolicTensor[], width: number, seeds: LayerSeeds): tf.SymbolicTensor {
  let y = concat(scoped(VECTOR_SCOPE, 'concat'), xs);
  for (let i = 1; i <= 2; i++) {
    const name = scoped(VECTOR_SCOPE, `dense${i}`);
    y = tf.layers
      .dense({ name, units: vectorBlockUnits(width), kernelInitializer: seeds.denseKernel(name) })
      .apply(y) as tf.SymbolicTensor;
    y = tf.layers.reLU({ name: scoped(VECTOR_SCOPE, `relu${i}`) }).apply(y) as tf.SymbolicTensor;
  }
  return y;
}

export function buildFusionTrunk(opts: FusionOptions): FusionTrunk {
  const { modalities, inputSize } = opts;
  if (modalities.length === 0) throw new Error('fusion needs at least one modality');
  const inputs = modelInputs(modalities, inputSize);
  const byId = new Map(modalities.map((m, i) => [m, inputs[i]]));
  const backbone = (x: tf.SymbolicTensor, scope: string) =>
    applyBackbone(x, { kind: opts.backbone, width: opts.width, seed: opts.seed, scope, needMap: opts.needMap });

  if (opts.fusion === 'early') {
    const out = backbone(earlyStack(inputs, modalities, inputSize), EARLY_BACKBONE_SCOPE);
    return { inputs, vector: out.vector, map: out.map };
  }

  const branches = spatialModalities(opts).map((m) => backbone(byId.get(m) as tf.SymbolicTensor, lateBackboneScope(m)));
  const vectors = vectorModalities(opts);
  const vecFeatures =
    vectors.length > 0
      ? vectorBlock(
          vectors.map((m) => byId.get(m) as tf.SymbolicTensor),
          opts.width,
          new LayerSeeds(opts.seed),
        )
      : undefined;
  const pooled = branches.map((b) => b.vector);
  if (vecFeatures) pooled.push(vecFeatures);
  const vector = concat(scoped(FUSION_SCOPE, 'concat'), pooled);
  let map: tf.SymbolicTensor | undefined;
  if (opts.needMap) {
    const maps = branches.map((b) => b.map as tf.SymbolicTensor);
    if (maps.length === 0) throw new Error('per-pixel outputs need at least one spatial modality');
    if (vecFeatures) {
      maps.push(
        tilePlanes({ name: scoped(FUSION_SCOPE, 'tile_vector'), height: inputSize, width: inputSize }).apply(
          vecFeatures,
        ) as tf.SymbolicTensor,
      );
    }
    map = concat(scoped(FUSION_SCOPE, 'concat_map'), maps);
  }
  return { inputs, vector, map };
}
