import type { TaskModelSpec } from '../models/spec';
import type { HeadObjective } from './loop';
import { taskLoss, targetTensor } from './losses';
import { createTaskMetrics } from './metrics';

/**
 * The loop's view of a task model's heads: per task, its model output, loss (losses.ts), target tensor and metric
 * accumulator (metrics.ts), with the user's loss weight.
 */
export function headObjectives(spec: Pick<TaskModelSpec, 'tasks'>, opts: { threshold?: number } = {}): HeadObjective[] {
  return spec.tasks.map((t, i) => ({
    target: t.target,
    output: i,
    weight: t.weight,
    targetTensor: (data, n) => targetTensor(t.kind, data, n),
    loss: (y, p) => taskLoss(t.kind, y, p),
    accumulator: () => {
      const m = createTaskMetrics(t.kind, t.classes, { threshold: opts.threshold });
      return {
        add: (target, output) => m.add(target, output.dataSync()),
        result: () => m.result(),
      };
    },
  }));
}

/** The metric a task is usually judged by (tables, plots, early stopping). */
export function headlineMetric(kind: TaskModelSpec['tasks'][number]['kind']): { name: string; mode: 'max' | 'min' } {
  switch (kind) {
    case 'classification':
    case 'multilabel':
      return { name: 'f1_macro', mode: 'max' };
    case 'segmentation':
      return { name: 'iou_macro', mode: 'max' };
    case 'regression':
      return { name: 'r2', mode: 'max' };
  }
}
