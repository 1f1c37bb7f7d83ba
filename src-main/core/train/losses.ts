import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX } from '../data/modalities';
import type { TaskKind, TaskSpec } from '../models/spec';

/**
 * Losses, as tensor functions of (labels, model output) returning a scalar, for use inside one tidy per step.
 * Model outputs are logits (heads.ts), so every loss takes logits and applies the activation itself in a
 * numerically stable form. Missing labels:
 * - class / mask labels equal to IGNORE_INDEX (-1) are excluded from the mean (PyTorch's ignore_index);
 * - multi-label entries equal to IGNORE_INDEX are excluded from the mean;
 * - regression labels that are NaN are excluded from the mean.
 * If a batch has no valid label at all the loss is 0 (PyTorch would give NaN), so one unlabelled batch cannot poison
 * the weights; such a batch simply contributes no gradient.
 */

/** Sum of `values * mask` over all elements divided by the number of valid elements (at least 1). */
function maskedMean(values: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(values, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/**
 * Softmax cross-entropy. `labels`: integer class indices shaped like `logits` without its last axis ([n] for patch
 * classification, [n, h, w] for segmentation); `logits`: [..., classes]. Labels equal to `ignoreIndex` do not count.
 * Labels outside [0, classes) other than the ignore index contribute 0 (tf.oneHot gives an all-zero row); the
 * metrics reject them loudly instead.
 */
export function softmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor, ignoreIndex: number = IGNORE_INDEX): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[logits.shape.length - 1];
    const idx = tf.cast(labels, 'int32');
    const valid = tf.notEqual(idx, tf.scalar(ignoreIndex, 'int32'));
    const safe = tf.where(valid, idx, tf.zerosLike(idx));
    const logp = tf.logSoftmax(logits, -1);
    const nll = tf.neg(tf.sum(tf.mul(tf.oneHot(safe, classes), logp), -1));
    return maskedMean(nll, tf.cast(valid, 'float32'));
  });
}

/**
 * Binary cross-entropy on logits for multi-label targets (0/1 per label, IGNORE_INDEX for unknown), averaged over
 * all valid entries (PyTorch's BCEWithLogitsLoss, mean). Stable form: max(x, 0) - x z + log(1 + exp(-|x|)).
 */
export function sigmoidBinaryCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const z = tf.cast(labels, 'float32');
    const valid = tf.cast(tf.greaterEqual(z, 0), 'float32');
    const perEntry = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, z)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return maskedMean(perEntry, valid);
  });
}

/** Regression error per element with NaN labels masked; `labels` is reshaped to the prediction's shape. */
function regressionError(labels: tf.Tensor, preds: tf.Tensor, kind: 'mse' | 'l1'): tf.Scalar {
  return tf.tidy(() => {
    const y = tf.reshape(tf.cast(labels, 'float32'), preds.shape);
    const valid = tf.logicalNot(tf.isNaN(y));
    const diff = tf.sub(preds, tf.where(valid, y, tf.zerosLike(y)));
    const err = kind === 'mse' ? tf.square(diff) : tf.abs(diff);
    return maskedMean(err, tf.cast(valid, 'float32'));
  });
}

/** Mean squared error; NaN labels are skipped. `labels` [n] or shaped like `preds` ([n, 1]). */
export function meanSquaredError(labels: tf.Tensor, preds: tf.Tensor): tf.Scalar {
  return regressionError(labels, preds, 'mse');
}

/** Mean absolute error (L1); NaN labels are skipped. */
export function meanAbsoluteError(labels: tf.Tensor, preds: tf.Tensor): tf.Scalar {
  return regressionError(labels, preds, 'l1');
}

/** Temperature of NT-Xent in the lecture's S1 <-> S2 contrastive setup. */
export const NT_XENT_TEMPERATURE = 0.1;

/**
 * NT-Xent (SimCLR's normalised temperature-scaled cross-entropy). z1, z2: [n, d], two views of the same n samples
 * (augmentations of one patch, or co-located S2 and S1). The 2n embeddings are L2-normalised; for each one the
 * other 2n - 1 are the candidates (itself excluded) and its counterpart in the other view (i <-> i + n) is the
 * positive; the loss is the mean over all 2n of -log softmax(sim / temperature)[positive].
 */
export function ntXent(z1: tf.Tensor, z2: tf.Tensor, temperature: number = NT_XENT_TEMPERATURE): tf.Scalar {
  if (z1.shape.length !== 2 || z1.shape[0] !== z2.shape[0] || z1.shape[1] !== z2.shape[1]) {
    throw new Error(`ntXent: views must both be [n, d], got [${z1.shape}] and [${z2.shape}]`);
  }
  if (!(temperature > 0)) throw new Error(`ntXent: temperature must be positive, got ${temperature}`);
  return tf.tidy(() => {
    const n = z1.shape[0];
    const unit = (z: tf.Tensor) => tf.div(z, tf.sqrt(tf.maximum(tf.sum(tf.square(z), -1, true), 1e-12)));
    const a = unit(z1);
    const b = unit(z2);
    const z = tf.concat([a, b], 0);
    // Self-similarity removed by a large negative offset (not -Infinity, whose gradient would be NaN).
    const sim = tf.sub(tf.div(tf.matMul(z, z, false, true), temperature), tf.mul(tf.eye(2 * n), 1e9));
    const lse = tf.logSumExp(sim, 1);
    // Positive logits: <a_i, b_i> / T, the same for row i and row i + n.
    const pos = tf.div(tf.sum(tf.mul(a, b), -1), temperature);
    return tf.sub(tf.mean(lse), tf.mean(pos)) as tf.Scalar;
  });
}

export type RegressionLoss = 'mse' | 'l1';

/** The loss of one task on its head's output. */
export function taskLoss(
  kind: TaskKind,
  labels: tf.Tensor,
  output: tf.Tensor,
  opts: { regression?: RegressionLoss; ignoreIndex?: number } = {},
): tf.Scalar {
  switch (kind) {
    case 'classification':
    case 'segmentation':
      return softmaxCrossEntropy(labels, output, opts.ignoreIndex ?? IGNORE_INDEX);
    case 'multilabel':
      return sigmoidBinaryCrossEntropy(labels, output);
    case 'regression':
      return (opts.regression ?? 'mse') === 'mse' ? meanSquaredError(labels, output) : meanAbsoluteError(labels, output);
  }
}

export interface MultitaskLoss {
  /** sum_i weight_i * loss_i */
  total: tf.Scalar;
  /** Unweighted loss of each task, in task order. */
  perTask: tf.Scalar[];
}

/**
 * Weighted multitask loss: the sum of each task's loss times its user-given weight (not normalised by the sum of
 * weights, so a single task with weight 1 is exactly its own loss). `outputs` and `labels` are in task order (the
 * model's output order, TaskModel.outputNames).
 */
export function multitaskLoss(
  tasks: Pick<TaskSpec, 'kind' | 'weight'>[],
  labels: tf.Tensor[],
  outputs: tf.Tensor[],
  opts: { regression?: RegressionLoss } = {},
): MultitaskLoss {
  if (labels.length !== tasks.length || outputs.length !== tasks.length) {
    throw new Error(`multitaskLoss: ${tasks.length} tasks but ${labels.length} labels and ${outputs.length} outputs`);
  }
  const perTask = tasks.map((t, i) => taskLoss(t.kind, labels[i], outputs[i], opts));
  const total = tf.tidy(() => tf.addN(perTask.map((l, i) => tf.mul(l, tasks[i].weight))) as tf.Scalar);
  return { total, perTask };
}

/**
 * A batch target (modalities.ts Batch.targets) as the tensor its task's loss expects: class -> int32 [n];
 * mask -> int32 [n, h, w] (square, h = sqrt(len / n)); multilabel -> float32 [n, classes]; scalar -> float32 [n, 1]
 * (the regression head's shape).
 */
export function targetTensor(kind: TaskKind, data: Float32Array | Int32Array, n: number): tf.Tensor {
  if (n <= 0 || data.length % n !== 0) throw new Error(`targetTensor: ${data.length} values do not split into ${n} samples`);
  const per = data.length / n;
  switch (kind) {
    case 'classification':
      if (per !== 1) throw new Error(`targetTensor: classification expects one label per sample, got ${per}`);
      return tf.tensor1d(data instanceof Int32Array ? data : Int32Array.from(data), 'int32');
    case 'segmentation': {
      const side = Math.round(Math.sqrt(per));
      if (side * side !== per) throw new Error(`targetTensor: a mask of ${per} pixels is not square`);
      return tf.tensor3d(data instanceof Int32Array ? data : Int32Array.from(data), [n, side, side], 'int32');
    }
    case 'multilabel':
      return tf.tensor2d(data instanceof Float32Array ? data : Float32Array.from(data), [n, per], 'float32');
    case 'regression':
      if (per !== 1) throw new Error(`targetTensor: regression expects one value per sample, got ${per}`);
      return tf.tensor2d(data instanceof Float32Array ? data : Float32Array.from(data), [n, 1], 'float32');
  }
}
