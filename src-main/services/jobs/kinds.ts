import type { JobKind } from './define';

/**
 * Built-in job kinds, by name. Add one line per kind: a lazy import, so the bundler emits the kind into the
 * worker's build (out/main/job-worker.js and its chunks) and nothing is loaded before a job of that kind starts.
 *
 *   train: () => import('../train/job'),
 *
 * Kinds that are not bundled (tests, plugins) are registered at run time with JobKindRegistry.register(name,
 * moduleUrl) instead.
 */
export const builtinJobKinds: Record<string, () => Promise<{ default: JobKind }>> = {
  train: () => import('../training/train-job'),
  pretrain: () => import('../training/pretrain-job'),
  evaluate: () => import('../training/evaluate-job'),
  predict: () => import('../training/predict-job'),
  experiment: () => import('../training/experiment-job'),
  'datasets.sample': () => import('../datasets/sample-job'),
};
