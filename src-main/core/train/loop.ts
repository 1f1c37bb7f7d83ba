import * as tf from '@tensorflow/tfjs';
import type { Batch, ModalityId, TargetId } from '../data/modalities';
import { createRng, type Rng } from '../data/rng';
import { EarlyStopping, type MetricMode } from './early-stopping';
import { cosineFactor, Optimizer, type OptimizerConfig, type ParamGroup } from './optim';

/**
 * The supervised training loop: epochs of shuffled mini-batches, one optimiser step per batch inside one tf.tidy,
 * validation after every epoch, early stopping on a validation metric, and the best weights kept. Everything random
 * (shuffling, augmentation) comes from `seed`; weight initialisation is seeded by the model builder.
 *
 * Pure core: no files, no threads. Checkpoints are written by the caller in `onEpochEnd` (it is told whether the
 * epoch is the new best); progress goes to `onProgress`; `signal` cancels between steps.
 */

/** What the loop needs from a data source (models/data's PatchSource satisfies it). */
export interface BatchSource {
  getBatch(
    indices: number[],
    opts: { modalities: ModalityId[]; targets: TargetId[]; augment: boolean; rng: Rng },
  ): Batch | Promise<Batch>;
}

/** Running metric state of one head over an evaluation pass. */
export interface MetricAccumulator {
  /** Adds a batch: the target as the batch holds it and the head's raw output (logits / values). */
  add(target: Float32Array | Int32Array, output: tf.Tensor): void;
  /** snake_case metric values (accuracy, f1_macro, iou_macro, mae, r2, ...). */
  result(): Record<string, number>;
}

/** One output of the model with its target, loss and metrics (see heads.ts for the per-task implementations). */
export interface HeadObjective {
  target: TargetId;
  /** Index of the model output this head reads. */
  output: number;
  weight: number;
  /** The batch's target as a tensor shaped like the loss expects. */
  targetTensor(target: Float32Array | Int32Array, n: number): tf.Tensor;
  loss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar;
  accumulator(): MetricAccumulator;
}

export interface TrainProgress {
  phase: 'train' | 'val';
  /** 1-based epoch. */
  epoch: number;
  epochs: number;
  /** 1-based step within the phase of this epoch. */
  step: number;
  steps: number;
  /** Mean training loss of the epoch so far (train phase). */
  loss?: number;
  /** Latest validation metrics (flattened `${target}.${metric}`, plus `loss`). */
  metrics?: Record<string, number>;
  /** Fraction of the whole run done, 0..1. */
  progress: number;
  /** Estimated seconds left (after the first steps). */
  etaSeconds?: number;
  lr: number;
}

export interface EpochRecord {
  epoch: number;
  lr: number;
  train: { loss: number; losses: Partial<Record<TargetId, number>> };
  /** Validation metrics, flattened: `loss`, `${target}.loss`, `${target}.${metric}`. */
  val: Record<string, number>;
  seconds: number;
}

export interface EarlyStoppingConfig {
  /** `loss` or `${target}.${metric}`, e.g. `lulc.f1_macro`. */
  metric: string;
  mode: MetricMode;
  patience: number;
  minDelta?: number;
}

export interface FitOptions {
  model: tf.LayersModel;
  /** Modalities in the order of the model's inputs. */
  inputs: ModalityId[];
  heads: HeadObjective[];
  source: BatchSource;
  trainIndices: number[];
  valIndices: number[];
  epochs: number;
  batchSize: number;
  seed: number;
  optimizer: OptimizerConfig;
  /**
   * Learning-rate multiplier of a layer (e.g. 0.1 for pretrained backbone layers); default 1 for every layer.
   * Frozen layers (trainable = false) are not trained at all.
   */
  lrScaleOf?: (layerName: string) => number;
  schedule?: { kind: 'cosine' | 'constant'; warmupEpochs?: number; minFactor?: number };
  augment?: boolean;
  earlyStopping?: EarlyStoppingConfig;
  onProgress?: (p: TrainProgress) => void;
  /** Called after validation of every epoch; `best` says the weights are the best so far (write the checkpoint). */
  onEpochEnd?: (record: EpochRecord, best: boolean) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface FitResult {
  history: EpochRecord[];
  best?: { epoch: number; value: number; metric: string };
  stoppedEarly: boolean;
}

/** Thrown when the signal aborts; the model keeps the weights of the last finished step. */
export class TrainingCancelled extends Error {
  constructor() {
    super('training cancelled');
    this.name = 'TrainingCancelled';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TrainingCancelled();
}

/** The variables of trainable layers, grouped by learning-rate scale. */
export function paramGroups(model: tf.LayersModel, lrScaleOf: (layerName: string) => number = () => 1): ParamGroup[] {
  const groups = new Map<number, tf.Variable[]>();
  for (const layer of model.layers) {
    if (!layer.trainable) continue;
    const scale = lrScaleOf(layer.name);
    for (const w of layer.trainableWeights) {
      // LayerVariable.read() returns the underlying tf.Variable itself (not a copy).
      const v = w.read() as tf.Variable;
      const list = groups.get(scale) ?? [];
      list.push(v);
      groups.set(scale, list);
    }
  }
  return [...groups.entries()].map(([lrScale, variables]) => ({ lrScale, variables }));
}

/** Batch inputs as tensors in the model's input order. */
export function inputTensors(batch: Batch, inputs: ModalityId[]): tf.Tensor[] {
  return inputs.map((m) => {
    const x = batch.inputs[m];
    if (x === undefined) throw new Error(`batch has no input for modality ${m}`);
    return tf.tensor(x.data, x.shape, 'float32');
  });
}

function outputsOf(y: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[]): tf.Tensor[] {
  const list = Array.isArray(y) ? y : [y];
  return list as tf.Tensor[];
}

function targetOf(batch: Batch, head: HeadObjective): Float32Array | Int32Array {
  const t = batch.targets[head.target];
  if (t === undefined) throw new Error(`batch has no target ${head.target}`);
  return t;
}

/** Mini-batches of `indices` in a seeded random order (all of them; the last batch may be smaller). */
export function shuffledBatches(indices: number[], batchSize: number, rng: Rng): number[][] {
  const order = rng.shuffle([...indices]);
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}

function chunks(indices: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < indices.length; i += size) out.push(indices.slice(i, i + size));
  return out;
}

export interface EvaluateOptions {
  model: tf.LayersModel;
  inputs: ModalityId[];
  heads: HeadObjective[];
  source: BatchSource;
  indices: number[];
  batchSize: number;
  signal?: AbortSignal;
  onStep?: (step: number, steps: number) => void;
}

/**
 * Inference-mode pass over `indices`: mean weighted loss, per-head losses and metrics, flattened as
 * `loss`, `${target}.loss`, `${target}.${metric}`.
 */
export async function evaluate(opts: EvaluateOptions): Promise<Record<string, number>> {
  const accs = opts.heads.map((h) => h.accumulator());
  const sums = new Float64Array(opts.heads.length + 1);
  let count = 0;
  const batches = chunks(opts.indices, opts.batchSize);
  const rng = createRng('evaluate');
  for (let b = 0; b < batches.length; b++) {
    throwIfAborted(opts.signal);
    const batch = await opts.source.getBatch(batches[b], {
      modalities: opts.inputs,
      targets: opts.heads.map((h) => h.target),
      augment: false,
      rng,
    });
    const losses = tf.tidy(() => {
      const xs = inputTensors(batch, opts.inputs);
      const ys = outputsOf(opts.model.apply(xs, { training: false }));
      const parts = opts.heads.map((h) => {
        const target = targetOf(batch, h);
        const out = ys[h.output];
        accs[opts.heads.indexOf(h)].add(target, out);
        return h.loss(h.targetTensor(target, batch.size), out);
      });
      const total = tf.addN(parts.map((p, i) => tf.mul(p, opts.heads[i].weight)));
      return tf.stack([total, ...parts]).dataSync();
    });
    losses.forEach((v, i) => (sums[i] += v * batch.size));
    count += batch.size;
    opts.onStep?.(b + 1, batches.length);
  }
  const out: Record<string, number> = { loss: count > 0 ? sums[0] / count : Number.NaN };
  opts.heads.forEach((h, i) => {
    out[`${h.target}.loss`] = count > 0 ? sums[i + 1] / count : Number.NaN;
    for (const [k, v] of Object.entries(accs[i].result())) out[`${h.target}.${k}`] = v;
  });
  return out;
}

/** Copies of every weight (trainable and not, e.g. BN statistics), to restore the best epoch later. */
function snapshot(model: tf.LayersModel): tf.Tensor[] {
  return tf.tidy(() => model.weights.map((w) => tf.keep(tf.clone(w.read()))));
}

function restore(model: tf.LayersModel, weights: tf.Tensor[]): void {
  model.weights.forEach((w, i) => w.write(weights[i]));
}

/** The default early-stopping metric: the first head's headline metric, or the loss for several heads. */
export function defaultStoppingMetric(heads: { target: TargetId; task: string }[]): EarlyStoppingConfig {
  if (heads.length === 1) {
    const h = heads[0];
    if (h.task === 'segmentation') return { metric: `${h.target}.iou_macro`, mode: 'max', patience: Infinity };
    if (h.task === 'classification' || h.task === 'multilabel') {
      return { metric: `${h.target}.f1_macro`, mode: 'max', patience: Infinity };
    }
  }
  return { metric: 'loss', mode: 'min', patience: Infinity };
}

/**
 * Trains `model` in place. At the end the model holds the weights of the best validation epoch (or of the last
 * epoch when there is no validation set). Throws TrainingCancelled when `signal` aborts.
 */
export async function fit(opts: FitOptions): Promise<FitResult> {
  if (opts.trainIndices.length === 0) throw new Error('fit: the training split is empty');
  if (!(opts.batchSize >= 1)) throw new Error(`fit: batch size must be >= 1, got ${opts.batchSize}`);
  const rng = createRng(opts.seed).fork('fit');
  const optimizer = new Optimizer(opts.optimizer, paramGroups(opts.model, opts.lrScaleOf));
  if (optimizer.variables.length === 0) throw new Error('fit: the model has no trainable weights');
  const stopping = opts.earlyStopping ?? defaultStoppingMetric([]);
  const early = new EarlyStopping({ patience: stopping.patience, mode: stopping.mode, minDelta: stopping.minDelta });
  const stepsPerEpoch = Math.ceil(opts.trainIndices.length / opts.batchSize);
  const valSteps = Math.ceil(opts.valIndices.length / opts.batchSize);
  const totalSteps = stepsPerEpoch * opts.epochs;
  const schedule = opts.schedule ?? { kind: 'cosine' };
  const lrAt = (step: number): number =>
    schedule.kind === 'constant'
      ? opts.optimizer.lr
      : opts.optimizer.lr *
        cosineFactor(step, {
          totalSteps,
          warmupSteps: Math.round((schedule.warmupEpochs ?? 0) * stepsPerEpoch),
          minFactor: schedule.minFactor ?? 0,
        });
  // Work units for progress and ETA: a validation step costs about a third of a training step (forward only).
  const units = (opts.epochs * (stepsPerEpoch + valSteps / 3)) || 1;
  let unitsDone = 0;
  const started = performance.now();
  const eta = (): number | undefined => {
    if (unitsDone < 2) return undefined;
    return (((performance.now() - started) / 1000) * (units - unitsDone)) / unitsDone;
  };

  const history: EpochRecord[] = [];
  let best: tf.Tensor[] | undefined;
  let stoppedEarly = false;
  let globalStep = 0;
  let lastVal: Record<string, number> | undefined;
  const vars = optimizer.variables;
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const epochStart = performance.now();
      const epochRng = rng.fork(`epoch:${epoch}`);
      const batches = shuffledBatches(opts.trainIndices, opts.batchSize, epochRng.fork('shuffle'));
      let lossSum = 0;
      const headSums = new Float64Array(opts.heads.length);
      let seen = 0;
      let lr = lrAt(globalStep);
      for (let s = 0; s < batches.length; s++) {
        throwIfAborted(opts.signal);
        const batch = await opts.source.getBatch(batches[s], {
          modalities: opts.inputs,
          targets: opts.heads.map((h) => h.target),
          augment: opts.augment ?? true,
          rng: epochRng.fork(`batch:${s}`),
        });
        lr = lrAt(globalStep);
        const values = trainStep(opts.model, opts.inputs, opts.heads, batch, vars, optimizer, lr);
        globalStep += 1;
        lossSum += values[0] * batch.size;
        values.slice(1).forEach((v, i) => (headSums[i] += v * batch.size));
        seen += batch.size;
        unitsDone += 1;
        opts.onProgress?.({
          phase: 'train',
          epoch,
          epochs: opts.epochs,
          step: s + 1,
          steps: batches.length,
          loss: lossSum / seen,
          metrics: lastVal,
          progress: Math.min(1, unitsDone / units),
          etaSeconds: eta(),
          lr,
        });
      }
      let val: Record<string, number> = {};
      if (opts.valIndices.length > 0) {
        val = await evaluate({
          model: opts.model,
          inputs: opts.inputs,
          heads: opts.heads,
          source: opts.source,
          indices: opts.valIndices,
          batchSize: opts.batchSize,
          signal: opts.signal,
          onStep: (step, steps) => {
            unitsDone += 1 / 3;
            opts.onProgress?.({
              phase: 'val',
              epoch,
              epochs: opts.epochs,
              step,
              steps,
              loss: lossSum / seen,
              metrics: lastVal,
              progress: Math.min(1, unitsDone / units),
              etaSeconds: eta(),
              lr,
            });
          },
        });
        lastVal = val;
      }
      const losses: Partial<Record<TargetId, number>> = {};
      opts.heads.forEach((h, i) => (losses[h.target] = headSums[i] / seen));
      const record: EpochRecord = {
        epoch,
        lr,
        train: { loss: lossSum / seen, losses },
        val,
        seconds: (performance.now() - epochStart) / 1000,
      };
      history.push(record);
      // Without a validation split the last epoch counts as best (nothing to select on).
      const value = opts.valIndices.length > 0 ? val[stopping.metric] : -epoch;
      if (opts.valIndices.length > 0 && value === undefined) {
        throw new Error(`early stopping metric "${stopping.metric}" is not among ${Object.keys(val).join(', ')}`);
      }
      const update =
        opts.valIndices.length > 0 ? early.update(epoch, value) : { improved: true, stop: false };
      if (update.improved) {
        tf.dispose(best);
        best = snapshot(opts.model);
      }
      await opts.onEpochEnd?.(record, update.improved);
      if (update.stop && epoch < opts.epochs) {
        stoppedEarly = true;
        break;
      }
    }
    if (best !== undefined) restore(opts.model, best);
  } finally {
    tf.dispose(best);
    optimizer.dispose();
  }
  const b = early.best;
  return {
    history,
    best: b && opts.valIndices.length > 0 ? { ...b, metric: stopping.metric } : undefined,
    stoppedEarly,
  };
}

/**
 * One optimiser step in one tidy: forward in training mode, weighted sum of the head losses, gradients of the
 * trainable variables, update. Returns [total, ...per-head] losses as numbers.
 */
function trainStep(
  model: tf.LayersModel,
  inputs: ModalityId[],
  heads: HeadObjective[],
  batch: Batch,
  vars: tf.Variable[],
  optimizer: Optimizer,
  lr: number,
): number[] {
  return tf.tidy(() => {
    const xs = inputTensors(batch, inputs);
    const targets = heads.map((h) => h.targetTensor(targetOf(batch, h), batch.size));
    const parts: tf.Scalar[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const ys = outputsOf(model.apply(xs, { training: true }));
      const losses = heads.map((h, i) => h.loss(targets[i], ys[h.output]));
      // Kept so that the per-head values survive the forward pass's own tidy; disposed by the outer tidy's end
      // through the stack below (tf.keep'd tensors must be disposed explicitly).
      losses.forEach((l) => parts.push(tf.keep(l)));
      return tf.addN(losses.map((l, i) => tf.mul(l, heads[i].weight))) as tf.Scalar;
    }, vars);
    optimizer.step(grads, lr);
    const out = Array.from(tf.stack([value, ...parts]).dataSync());
    tf.dispose(parts);
    return out;
  });
}
