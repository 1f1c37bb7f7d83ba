import * as tf from '@tensorflow/tfjs';
import type { TargetId } from '../data/modalities';
import { LayerSeeds } from './init';
import type { TaskKind, TaskSpec } from './spec';

/**
 * Task heads. Each head is a single linear layer named exactly by its target id, so the model output of a task is
 * called e.g. `lulc` or `worldcover`:
 * - classification: Dense(classes) on the pooled features -> logits [n, classes] (softmax in the loss / at predict);
 * - multilabel: Dense(classes) -> logits [n, classes] (sigmoid in the loss; threshold at predict time);
 * - segmentation: 1x1 Conv(classes) on the per-pixel features -> logits [n, h, w, classes];
 * - regression: Dense(1), linear -> [n, 1].
 * Heads emit logits rather than probabilities because the losses are computed from logits (numerically stable);
 * `activateOutput` turns an output into probabilities / values.
 */

/** The layer scope (and output name) of a task's head. */
export function headName(target: TargetId): string {
  return target;
}

/** Whether a task reads the per-pixel feature map (otherwise the pooled feature vector). */
export function isPixelTask(kind: TaskKind): boolean {
  return kind === 'segmentation';
}

export function applyHead(
  task: TaskSpec,
  features: { vector: tf.SymbolicTensor; map?: tf.SymbolicTensor },
  seeds: LayerSeeds,
): tf.SymbolicTensor {
  const name = headName(task.target);
  const kernelInitializer = seeds.denseKernel(name);
  if (isPixelTask(task.kind)) {
    if (!features.map) throw new Error(`head "${name}" needs per-pixel features`);
    return tf.layers
      .conv2d({ name, filters: task.classes, kernelSize: 1, kernelInitializer })
      .apply(features.map) as tf.SymbolicTensor;
  }
  const units = task.kind === 'regression' ? 1 : task.classes;
  return tf.layers.dense({ name, units, kernelInitializer }).apply(features.vector) as tf.SymbolicTensor;
}

/**
 * Raw head output -> what a user sees: class probabilities (softmax over the last axis) for classification and
 * segmentation, per-label probabilities (sigmoid) for multi-label, the value itself for regression.
 */
export function activateOutput(kind: TaskKind, output: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    switch (kind) {
      case 'classification':
      case 'segmentation':
        return tf.softmax(output, -1);
      case 'multilabel':
        return tf.sigmoid(output);
      case 'regression':
        return output.clone();
    }
  });
}
