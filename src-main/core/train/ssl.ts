import * as tf from '@tensorflow/tfjs';
import { MODALITIES, type ModalityId } from '../data/modalities';
import { createRng } from '../data/rng';
import { LayerSeeds } from '../models/init';
import { scoped } from '../models/names';
import { resnet18Features, resnet18FeatureSize } from '../models/resnet';
import { unetEncoder, unetFeatureSize } from '../models/unet';
import type { BackboneName, EncoderInfo } from './checkpoint';
import { EarlyStopping } from './early-stopping';
import { type BatchSource, shuffledBatches, throwIfAborted, TrainingCancelled } from './loop';
import { ntXent } from './losses';
import { cosineFactor, Optimizer, type OptimizerConfig } from './optim';
import { augmentView, type ViewAugmentOptions } from './ssl-augment';

/**
 * Self-supervised pretraining of encoders on unlabelled patches.
 *
 * - `simclr` (Chen et al. 2020): one encoder over the chosen spatial modalities (channels stacked in MODALITY_IDS
 *   order, as early fusion stacks them); two strongly augmented views of each patch; a projection head; NT-Xent.
 * - `contrastive-s1s2` (the lecture's multimodal setup): one encoder for Sentinel-2 and one for Sentinel-1, a
 *   projector shared by both (512 -> 512 -> 256 at width 64, scaled with the width), NT-Xent with temperature 0.1,
 *   and the co-located S2 and S1 patches of the same place as the positive pair.
 *
 * Only the encoders are kept (the projector is discarded after pretraining, as in both papers); they are saved as an
 * 'encoder' checkpoint whose EncoderInfo entries tell a downstream run which layers encode which modalities.
 */

export type SslMethod = 'simclr' | 'contrastive-s1s2';

export interface SslModels {
  /** Inputs: one per encoder (named by the encoder prefix); outputs: the pooled feature vector of each encoder. */
  encoder: tf.LayersModel;
  projector: tf.LayersModel;
  encoders: EncoderInfo[];
}

export interface BuildSslOptions {
  method: SslMethod;
  backbone: BackboneName;
  width: number;
  inputSize: number;
  /** simclr: the spatial modalities of the one encoder. Ignored by contrastive-s1s2 (always s2 and s1). */
  modalities?: ModalityId[];
  seed: number;
}

/** The modalities each encoder reads. simclr: one encoder named 'encoder'; contrastive: 's2' and 's1'. */
export function sslEncoderPlan(method: SslMethod, modalities: ModalityId[] = ['s2']): { prefix: string; modalities: ModalityId[] }[] {
  if (method === 'contrastive-s1s2') {
    return [
      { prefix: 's2', modalities: ['s2'] },
      { prefix: 's1', modalities: ['s1'] },
    ];
  }
  const nonSpatial = modalities.filter((m) => MODALITIES[m].kind !== 'spatial');
  if (nonSpatial.length > 0) {
    throw new Error(`simclr augments images; ${nonSpatial.join(', ')} ${nonSpatial.length > 1 ? 'are' : 'is'} not spatial`);
  }
  if (modalities.length === 0) throw new Error('simclr needs at least one spatial modality');
  // Canonical order, the same early fusion uses, so the first convolution's channels line up downstream.
  const ordered = (Object.keys(MODALITIES) as ModalityId[]).filter((m) => modalities.includes(m));
  return [{ prefix: 'encoder', modalities: ordered }];
}

function channelsOf(mods: ModalityId[]): number {
  return mods.reduce((n, m) => n + MODALITIES[m].channels, 0);
}

export function buildSslModels(opts: BuildSslOptions): SslModels {
  const plan = sslEncoderPlan(opts.method, opts.modalities);
  const inputs: tf.SymbolicTensor[] = [];
  const outputs: tf.SymbolicTensor[] = [];
  const encoders: EncoderInfo[] = [];
  for (const e of plan) {
    const channels = channelsOf(e.modalities);
    const input = tf.input({ shape: [opts.inputSize, opts.inputSize, channels], name: scoped(e.prefix, 'input') });
    const trunk = { width: opts.width, seed: createRng(opts.seed).fork(e.prefix).int(2 ** 31 - 1), name: e.prefix };
    const features = opts.backbone === 'resnet18' ? resnet18Features(input, trunk) : unetEncoder(input, trunk).pooled;
    inputs.push(input);
    outputs.push(features);
    const size = opts.backbone === 'resnet18' ? resnet18FeatureSize(opts.width) : unetFeatureSize(opts.width);
    encoders.push({ prefix: e.prefix, modalities: e.modalities, channels, features: size });
  }
  const encoder = tf.model({ inputs, outputs, name: 'ssl_encoder' });
  const projector = buildProjector(encoders[0].features, opts.seed);
  return { encoder, projector, encoders };
}

/** The projection head f -> f -> f/2 (512 -> 512 -> 256 for ResNet-18 at width 64), shared by all encoders. */
export function buildProjector(features: number, seed: number): tf.LayersModel {
  const seeds = new LayerSeeds(seed);
  const input = tf.input({ shape: [features], name: 'projector__input' });
  const h = tf.layers
    .dense({ name: 'projector__fc1', units: features, activation: 'relu', kernelInitializer: seeds.denseKernel('projector__fc1') })
    .apply(input) as tf.SymbolicTensor;
  const z = tf.layers
    .dense({ name: 'projector__fc2', units: Math.max(1, Math.floor(features / 2)), kernelInitializer: seeds.denseKernel('projector__fc2') })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: z, name: 'projector' });
}

export interface SslProgress {
  phase: 'train' | 'val';
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss?: number;
  metrics?: Record<string, number>;
  progress: number;
  etaSeconds?: number;
  lr: number;
}

export interface SslEpochRecord {
  epoch: number;
  lr: number;
  train: { loss: number };
  /** `loss` (NT-Xent) and `top1` (share of patches whose positive is the most similar of the batch). */
  val: Record<string, number>;
  seconds: number;
}

export interface PretrainOptions {
  method: SslMethod;
  models: SslModels;
  source: BatchSource;
  trainIndices: number[];
  valIndices: number[];
  epochs: number;
  batchSize: number;
  seed: number;
  optimizer: OptimizerConfig;
  schedule?: { kind: 'cosine' | 'constant'; warmupEpochs?: number };
  temperature: number;
  /** Data-layer augmentation (flips, rotations) before the view augmentations. Default true. */
  augment?: boolean;
  /** View augmentations; simclr's default is strong, contrastive-s1s2's lighter (the pairing is the signal). */
  views?: ViewAugmentOptions;
  onProgress?: (p: SslProgress) => void;
  onEpochEnd?: (record: SslEpochRecord, best: boolean) => void | Promise<void>;
  signal?: AbortSignal;
}

const CONTRASTIVE_VIEWS: ViewAugmentOptions = { cropScale: [0.6, 1], gain: 0.1, offset: 0.1, noise: 0.02 };

/** Input tensors of each encoder for a batch (spatial modalities concatenated along channels). */
function encoderInputs(batch: Awaited<ReturnType<BatchSource['getBatch']>>, encoders: EncoderInfo[]): tf.Tensor4D[] {
  return encoders.map((e) => {
    const parts = e.modalities.map((m) => {
      const x = batch.inputs[m];
      if (x === undefined) throw new Error(`batch has no ${m} input (needed by the ${e.prefix} encoder)`);
      return tf.tensor4d(x.data, x.shape as [number, number, number, number]);
    });
    return parts.length === 1 ? parts[0] : tf.concat(parts, -1);
  });
}

/** Two embeddings [n, d] per batch: of the two views (simclr) or of the S2 and S1 patches (contrastive-s1s2). */
function embedPair(
  method: SslMethod,
  models: SslModels,
  inputs: tf.Tensor4D[],
  training: boolean,
  views: { rngA: ReturnType<typeof createRng>; rngB: ReturnType<typeof createRng>; opts: ViewAugmentOptions } | undefined,
): [tf.Tensor2D, tf.Tensor2D] {
  const project = (f: tf.Tensor): tf.Tensor2D => models.projector.apply(f, { training }) as tf.Tensor2D;
  if (method === 'simclr') {
    const x = inputs[0];
    const a = views ? augmentView(x, views.rngA, views.opts) : x;
    const b = views ? augmentView(x, views.rngB, views.opts) : x;
    const fa = models.encoder.apply(a, { training }) as tf.Tensor;
    const fb = models.encoder.apply(b, { training }) as tf.Tensor;
    return [project(fa), project(fb)];
  }
  const xs = views ? [augmentView(inputs[0], views.rngA, views.opts), augmentView(inputs[1], views.rngB, views.opts)] : inputs;
  const [f2, f1] = models.encoder.apply(xs, { training }) as tf.Tensor[];
  return [project(f2), project(f1)];
}

/** Share of rows of a whose most cosine-similar row of b is its own partner (retrieval top-1 within the batch). */
function top1(a: tf.Tensor2D, b: tf.Tensor2D): number {
  return tf.tidy(() => {
    const sim = tf.matMul(tf.div(a, tf.norm(a, 2, 1, true)), tf.div(b, tf.norm(b, 2, 1, true)), false, true);
    const hit = tf.equal(tf.argMax(sim, 1), tf.range(0, a.shape[0], 1, 'int32'));
    return tf.mean(tf.cast(hit, 'float32')).dataSync()[0];
  });
}

/**
 * Pretrains `opts.models` in place; at the end the encoder holds the weights of the epoch with the lowest
 * validation NT-Xent (or the last epoch without a validation split). Throws TrainingCancelled on abort.
 */
export async function pretrain(opts: PretrainOptions): Promise<{ history: SslEpochRecord[]; best?: { epoch: number; value: number } }> {
  if (opts.trainIndices.length < 2) throw new Error('pretrain: need at least two patches');
  if (opts.batchSize < 2) throw new Error('pretrain: contrastive learning needs batches of at least 2');
  const { models } = opts;
  const rng = createRng(opts.seed).fork(`pretrain:${opts.method}`);
  const optimizer = new Optimizer(opts.optimizer, [
    { variables: [...models.encoder.trainableWeights, ...models.projector.trainableWeights].map((w) => w.read() as tf.Variable), lrScale: 1 },
  ]);
  const modalities = [...new Set(models.encoders.flatMap((e) => e.modalities))];
  const viewOpts = opts.views ?? (opts.method === 'simclr' ? {} : CONTRASTIVE_VIEWS);
  const stepsPerEpoch = Math.ceil(opts.trainIndices.length / opts.batchSize);
  const valBatches = chunk(opts.valIndices, opts.batchSize).filter((b) => b.length >= 2);
  const totalSteps = stepsPerEpoch * opts.epochs;
  const schedule = opts.schedule ?? { kind: 'cosine' };
  const warmupSteps = Math.round((schedule.warmupEpochs ?? 0) * stepsPerEpoch);
  const lrAt = (s: number): number =>
    schedule.kind === 'constant' ? opts.optimizer.lr : opts.optimizer.lr * cosineFactor(s, { totalSteps, warmupSteps });
  const units = opts.epochs * (stepsPerEpoch + valBatches.length / 3);
  let unitsDone = 0;
  const started = performance.now();
  const eta = (): number | undefined =>
    unitsDone < 2 ? undefined : (((performance.now() - started) / 1000) * (units - unitsDone)) / unitsDone;
  const early = new EarlyStopping({ patience: Infinity, mode: 'min' });
  const history: SslEpochRecord[] = [];
  let best: tf.Tensor[] | undefined;
  let globalStep = 0;
  let lastVal: Record<string, number> | undefined;
  const vars = optimizer.variables;
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const t0 = performance.now();
      const erng = rng.fork(`epoch:${epoch}`);
      // A batch of one has no negatives and NT-Xent is undefined for it: drop a trailing singleton.
      const batches = shuffledBatches(opts.trainIndices, opts.batchSize, erng.fork('shuffle')).filter((b) => b.length >= 2);
      let lossSum = 0;
      let seen = 0;
      let lr = lrAt(globalStep);
      for (let s = 0; s < batches.length; s++) {
        throwIfAborted(opts.signal);
        const brng = erng.fork(`batch:${s}`);
        const batch = await opts.source.getBatch(batches[s], {
          modalities,
          targets: [],
          augment: opts.augment ?? true,
          rng: brng.fork('data'),
        });
        lr = lrAt(globalStep);
        const loss = tf.tidy(() => {
          const inputs = encoderInputs(batch, models.encoders);
          const { value, grads } = tf.variableGrads(() => {
            const [za, zb] = embedPair(opts.method, models, inputs, true, {
              rngA: brng.fork('view:a'),
              rngB: brng.fork('view:b'),
              opts: viewOpts,
            });
            return ntXent(za, zb, opts.temperature);
          }, vars);
          optimizer.step(grads, lr);
          return value.dataSync()[0];
        });
        globalStep += 1;
        lossSum += loss * batch.size;
        seen += batch.size;
        unitsDone += 1;
        opts.onProgress?.({
          phase: 'train', epoch, epochs: opts.epochs, step: s + 1, steps: batches.length, loss: lossSum / seen,
          metrics: lastVal, progress: Math.min(1, unitsDone / units), etaSeconds: eta(), lr,
        });
      }
      const val: Record<string, number> = {};
      if (valBatches.length > 0) {
        let vl = 0;
        let vt = 0;
        let vn = 0;
        for (let s = 0; s < valBatches.length; s++) {
          throwIfAborted(opts.signal);
          const batch = await opts.source.getBatch(valBatches[s], { modalities, targets: [], augment: false, rng: createRng('val') });
          const [l, t] = tf.tidy(() => {
            const [za, zb] = embedPair(opts.method, models, encoderInputs(batch, models.encoders), false, undefined);
            return [ntXent(za, zb, opts.temperature).dataSync()[0], top1(za, zb)];
          });
          vl += l * batch.size;
          vt += t * batch.size;
          vn += batch.size;
          unitsDone += 1 / 3;
          opts.onProgress?.({
            phase: 'val', epoch, epochs: opts.epochs, step: s + 1, steps: valBatches.length, loss: lossSum / seen,
            metrics: lastVal, progress: Math.min(1, unitsDone / units), etaSeconds: eta(), lr,
          });
        }
        val.loss = vl / vn;
        val.top1 = vt / vn;
        lastVal = val;
      }
      const record: SslEpochRecord = { epoch, lr, train: { loss: lossSum / seen }, val, seconds: (performance.now() - t0) / 1000 };
      history.push(record);
      const improved = valBatches.length > 0 ? early.update(epoch, val.loss).improved : true;
      if (improved) {
        tf.dispose(best);
        best = tf.tidy(() => models.encoder.weights.map((w) => tf.keep(tf.clone(w.read()))));
      }
      await opts.onEpochEnd?.(record, improved);
    }
    if (best !== undefined) {
      const snapshot = best;
      models.encoder.weights.forEach((w, i) => w.write(snapshot[i]));
    }
  } finally {
    tf.dispose(best);
    optimizer.dispose();
  }
  const b = early.best;
  return { history, best: b && valBatches.length > 0 ? b : undefined };
}

function chunk(indices: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < indices.length; i += size) out.push(indices.slice(i, i + size));
  return out;
}

export { TrainingCancelled };
