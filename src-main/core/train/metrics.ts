import { IGNORE_INDEX } from '../data/modalities';
import type { TaskKind } from '../models/spec';
import { classificationMetrics, ConfusionMatrix, type ClassificationMetrics } from './metrics-classification';
import { MultilabelCounts, multilabelMetrics, type MultilabelMetrics } from './metrics-multilabel';
import { RegressionStats, type RegressionMetrics } from './metrics-regression';

/**
 * Evaluation metrics, pure TypeScript on typed arrays (no tensors), accumulated batch by batch. Conventions follow
 * scikit-learn (zero_division=0, see the three modules below for the details); test/core/train/metrics.test.ts
 * checks them against values computed with scikit-learn.
 *
 * `createTaskMetrics(kind, classes)` is what a training or evaluation loop uses: feed it each batch's target (as
 * modalities.ts Batch holds it) and the head's raw output (logits / values, flattened, e.g. from dataSync()), then
 * read `result()` — snake_case headline numbers — or `details()` for per-class arrays and the confusion matrix.
 */

export * from './metrics-classification';
export * from './metrics-multilabel';
export * from './metrics-regression';

export type TaskMetricDetails = ClassificationMetrics | MultilabelMetrics | RegressionMetrics;

export interface TaskMetrics {
  /** Adds a batch: target as in Batch.targets, raw head output flattened ([n(, h, w), classes] or [n, 1]). */
  add(target: ArrayLike<number>, output: ArrayLike<number>): void;
  /** Headline metrics (numbers only), snake_case: see HEADLINE_METRICS. */
  result(): Record<string, number>;
  /** Everything, including per-class arrays (and the confusion matrix for single-label tasks). */
  details(): TaskMetricDetails;
}

/** The headline metric names `result()` returns for each task kind. */
export const HEADLINE_METRICS: Record<TaskKind, readonly string[]> = {
  classification: ['accuracy', 'f1_macro', 'f1_micro', 'f1_weighted', 'precision_macro', 'recall_macro'],
  segmentation: ['accuracy', 'iou_macro', 'iou_micro', 'f1_macro', 'f1_micro', 'precision_macro', 'recall_macro'],
  multilabel: ['accuracy', 'f1_macro', 'f1_micro', 'f1_samples', 'precision_macro', 'recall_macro', 'precision_micro', 'recall_micro'],
  regression: ['mae', 'rmse', 'mse', 'r2'],
};

function headline(kind: TaskKind, all: object): Record<string, number> {
  const source = all as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const name of HEADLINE_METRICS[kind]) out[name] = source[name] as number;
  return out;
}

export interface TaskMetricsOptions {
  /** Multi-label decision threshold on sigmoid(logit); default 0.5. */
  threshold?: number;
  ignoreIndex?: number;
}

export function createTaskMetrics(kind: TaskKind, classes: number, opts: TaskMetricsOptions = {}): TaskMetrics {
  const ignoreIndex = opts.ignoreIndex ?? IGNORE_INDEX;
  switch (kind) {
    case 'classification':
    case 'segmentation': {
      const cm = new ConfusionMatrix(classes, ignoreIndex);
      return {
        add: (target, output) => cm.addScores(target, output),
        details: () => classificationMetrics(cm),
        result: () => headline(kind, classificationMetrics(cm)),
      };
    }
    case 'multilabel': {
      const counts = new MultilabelCounts(classes, ignoreIndex);
      return {
        add: (target, output) => counts.addLogits(target, output, opts.threshold ?? 0.5),
        details: () => multilabelMetrics(counts),
        result: () => headline(kind, multilabelMetrics(counts)),
      };
    }
    case 'regression': {
      const stats = new RegressionStats();
      return {
        add: (target, output) => stats.add(target, output),
        details: () => stats.result(),
        result: () => headline(kind, stats.result()),
      };
    }
  }
}
