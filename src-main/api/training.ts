import { z } from 'zod';
import { method } from './define';

/**
 * Training, pretraining, evaluation, prediction and experiments. Each is a long job (jobs domain: progress through
 * `job.progress`, cancel through `jobs.cancel`); the `training.*` methods validate the configuration, start the job
 * and return its id. The configuration schemas here are also what the CLI builds from its flags and what a run
 * folder's `config.json` holds, so a run can always be repeated from its folder.
 */

export const ModalityName = z.enum(['s2', 's1', 'dem', 'worldcover', 'climatezone', 'season', 'era5']);
export const TargetName = z.enum(['lulc', 'landcover', 'worldcover', 'climatezone', 'season', 'ben19', 'ben43']);
export const TaskKindName = z.enum(['classification', 'multilabel', 'segmentation', 'regression']);
export const BackboneKind = z.enum(['resnet18', 'unet']);
export const TransferMode = z.enum(['linear-probe', 'frozen', 'full']);
export const SslMethod = z.enum(['simclr', 'contrastive-s1s2']);
export const SplitName = z.enum(['train', 'val', 'test']);

/** One head of a (multitask) model: what to predict, how, and its weight in the summed loss. */
export const TaskSpec = z.object({
  task: TaskKindName,
  target: TargetName,
  weight: z.number().positive().default(1),
});
export type TaskSpec = z.infer<typeof TaskSpec>;

const optimisation = {
  epochs: z.number().int().min(1).max(10_000).default(10),
  batchSize: z.number().int().min(1).max(4096).default(16),
  optimizer: z.enum(['adam', 'sgd']).default('adam'),
  lr: z.number().positive().default(1e-3),
  /** SGD momentum. */
  momentum: z.number().min(0).max(1).default(0.9),
  weightDecay: z.number().min(0).default(0),
  schedule: z.enum(['cosine', 'constant']).default('cosine'),
  warmupEpochs: z.number().min(0).default(0),
  seed: z.number().int().default(0),
  /** Use at most this many patches of the dataset (a seeded subset, for quick runs); null = all. */
  maxPatches: z.number().int().min(2).nullable().default(null),
};

export const TrainConfig = z
  .object({
    /** Dataset folder (any layout the data layer reads, e.g. ben-ge or synth output). */
    data: z.string().min(1),
    modalities: z.array(ModalityName).min(1),
    fusion: z.enum(['early', 'late']).default('early'),
    tasks: z.array(TaskSpec).min(1),
    backbone: BackboneKind.default('resnet18'),
    /** Base width of the backbone (64 = the published architectures; 8-16 fit a CPU). */
    width: z.number().int().min(1).max(256).default(16),
    /** Fraction of the training split's labels used (seeded subset); validation and test stay complete. */
    labelFraction: z.number().gt(0).max(1).default(1),
    ...optimisation,
    /** Epochs without improvement of the validation metric before stopping; null = never stop early. */
    patience: z.number().int().min(0).nullable().default(null),
    /** Validation metric for early stopping and the best checkpoint: `loss` or `target.metric` (default per task). */
    stopMetric: z.string().nullable().default(null),
    augment: z.boolean().default(true),
    /** A checkpoint folder (or a run folder holding one) to start from. */
    from: z.string().nullable().default(null),
    transfer: TransferMode.nullable().default(null),
    /** Learning-rate factor of the transferred layers with `transfer: full`. */
    backboneLrScale: z.number().min(0).max(1).default(0.1),
    /** Run folder to create. */
    out: z.string().min(1),
  })
  .refine((c) => (c.from === null) === (c.transfer === null), {
    message: '`from` and `transfer` go together: give both or neither',
    path: ['transfer'],
  })
  .refine((c) => new Set(c.tasks.map((t) => t.target)).size === c.tasks.length, {
    message: 'each target may appear in only one task',
    path: ['tasks'],
  });
export type TrainConfig = z.infer<typeof TrainConfig>;
export type TrainConfigInput = z.input<typeof TrainConfig>;

export const PretrainConfig = z.object({
  data: z.string().min(1),
  method: SslMethod,
  backbone: BackboneKind.default('resnet18'),
  width: z.number().int().min(1).max(256).default(16),
  /** simclr: the modalities of the one encoder (default s2); contrastive-s1s2 always uses s2 and s1. */
  modalities: z.array(ModalityName).min(1).nullable().default(null),
  /** NT-Xent temperature (the lecture's S1/S2 setup uses 0.1). */
  temperature: z.number().positive().default(0.1),
  ...optimisation,
  batchSize: z.number().int().min(2).max(4096).default(32),
  out: z.string().min(1),
});
export type PretrainConfig = z.infer<typeof PretrainConfig>;
export type PretrainConfigInput = z.input<typeof PretrainConfig>;

export const EvaluateConfig = z.object({
  /** A run folder (or a checkpoint folder). */
  run: z.string().min(1),
  data: z.string().min(1),
  split: SplitName.default('test'),
  batchSize: z.number().int().min(1).default(16),
});
export type EvaluateConfig = z.infer<typeof EvaluateConfig>;

export const PredictConfig = z.object({
  run: z.string().min(1),
  data: z.string().min(1),
  out: z.string().min(1),
  /** Which patches: one split or all of them. */
  split: z.enum(['train', 'val', 'test', 'all']).default('all'),
  batchSize: z.number().int().min(1).default(16),
  /** Threshold of multi-label heads. */
  threshold: z.number().gt(0).lt(1).default(0.5),
});
export type PredictConfig = z.infer<typeof PredictConfig>;

/** Label efficiency: scratch vs. from an SSL checkpoint, at each label fraction, over several seeds. */
export const LabelEfficiencyConfig = z.object({
  experiment: z.literal('label-efficiency').default('label-efficiency'),
  data: z.string().min(1),
  fractions: z.array(z.number().gt(0).max(1)).min(1).default([0.01, 0.1, 1]),
  /** Number of seeds (0..seeds-1, offset by `seed`). */
  seeds: z.number().int().min(1).max(20).default(3),
  seed: z.number().int().default(0),
  /** The downstream run (data, fraction, seed and out are set per run). */
  modalities: z.array(ModalityName).min(1).default(['s2']),
  fusion: z.enum(['early', 'late']).default('early'),
  tasks: z.array(TaskSpec).min(1).default([{ task: 'classification', target: 'lulc', weight: 1 }]),
  backbone: BackboneKind.default('resnet18'),
  width: z.number().int().min(1).max(256).default(16),
  epochs: z.number().int().min(1).default(10),
  batchSize: z.number().int().min(1).default(16),
  lr: z.number().positive().default(1e-3),
  transfer: TransferMode.default('full'),
  backboneLrScale: z.number().min(0).max(1).default(0.1),
  maxPatches: z.number().int().min(2).nullable().default(null),
  /** An existing SSL checkpoint; when null one is pretrained first with `pretrain`. */
  from: z.string().nullable().default(null),
  pretrain: z
    .object({
      method: SslMethod.default('contrastive-s1s2'),
      epochs: z.number().int().min(1).default(10),
      batchSize: z.number().int().min(2).default(32),
      lr: z.number().positive().default(1e-3),
      temperature: z.number().positive().default(0.1),
    })
    .default({ method: 'contrastive-s1s2', epochs: 10, batchSize: 32, lr: 1e-3, temperature: 0.1 }),
  out: z.string().min(1),
});
export type LabelEfficiencyConfig = z.infer<typeof LabelEfficiencyConfig>;
export type LabelEfficiencyConfigInput = z.input<typeof LabelEfficiencyConfig>;

/** Metric values by name (snake_case, `target.metric` for multitask); null where not finite. */
export const MetricValues = z.record(z.string(), z.number().nullable());

export const EpochSummary = z.object({
  epoch: z.number().int(),
  lr: z.number(),
  train_loss: z.number().nullable(),
  val: MetricValues,
  seconds: z.number(),
});

/** What a run folder says about itself (config, per-epoch history, best epoch, test metrics). */
export const RunInfo = z.object({
  path: z.string(),
  kind: z.enum(['train', 'pretrain']),
  status: z.enum(['running', 'done', 'cancelled', 'failed']),
  config: z.record(z.string(), z.json()),
  history: z.array(EpochSummary),
  best: z.object({ epoch: z.number().int(), metric: z.string(), value: z.number().nullable() }).nullable(),
  /** Test metrics, flat: for one head `accuracy`, `f1_macro`...; for several heads `target.metric`; plus `loss`. */
  test: MetricValues.nullable(),
  checkpoint: z.string().nullable(),
});
export type RunInfo = z.infer<typeof RunInfo>;

/** One head of a predict output folder: its target, task and the class vocabulary with a colour per class. */
export const PredictionHead = z.object({
  target: TargetName,
  task: TaskKindName,
  /** Class names in output order (empty for regression). */
  classNames: z.array(z.string()),
  /** CSS colour per class (WorldCover targets use ESA's colours). */
  colors: z.array(z.string()),
});
export type PredictionHead = z.infer<typeof PredictionHead>;

/** One patch's prediction for one head, and the truth when the dataset was given. */
export const TargetPrediction = z.object({
  /** Predicted class index (dominant class of the mask for segmentation); null for regression/multi-label. */
  index: z.number().int().nullable(),
  className: z.string().nullable(),
  confidence: z.number().nullable(),
  /** True class index from the dataset (the dominant class for segmentation); null when unknown. */
  truth: z.number().int().nullable(),
  /** Regression value. */
  value: z.number().nullable(),
  /** Mask GeoTIFF relative to the folder (segmentation). */
  mask: z.string().nullable(),
});
export type TargetPrediction = z.infer<typeof TargetPrediction>;

export const PredictionsResult = z.object({
  dir: z.string(),
  heads: z.array(PredictionHead),
  patches: z.array(
    z.object({ id: z.string(), split: SplitName.nullable(), byTarget: z.record(z.string(), TargetPrediction) }),
  ),
});
export type PredictionsResult = z.infer<typeof PredictionsResult>;

export const MaskView = z.enum(['prediction', 'errors']);

/** A predicted mask as an image for the map (placed like imagery.render's RenderedImage, from the mask GeoTIFF). */
export const MaskImage = z.object({
  dir: z.string(),
  patchId: z.string(),
  target: TargetName,
  view: MaskView,
  /** PNG bytes, base64: WorldCover colours (prediction) or red where wrong, transparent elsewhere (errors). */
  png_base64: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  /** [minx, miny, maxx, maxy] in crs_epsg. */
  extent: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  crs_epsg: z.number().int().nullable(),
  proj4: z.string().nullable(),
  extent_wgs84: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
  /** errors view: wrong pixels among those with a ground-truth class. */
  errors: z.object({ wrong: z.number().int(), valid: z.number().int() }).nullable(),
});
export type MaskImage = z.infer<typeof MaskImage>;

/** A confusion matrix of one head over a predict folder's patches, against the dataset's truth. */
export const ConfusionResult = z.object({
  target: TargetName,
  task: TaskKindName,
  classNames: z.array(z.string()),
  /** Rows = true class, columns = predicted class; counts of patches (classification) or pixels (segmentation). */
  matrix: z.array(z.array(z.number())),
  unit: z.enum(['patches', 'pixels']),
  /** Patches that had both a prediction and a truth. */
  patches: z.number().int(),
  accuracy: z.number().nullable(),
  f1_macro: z.number().nullable(),
  iou_macro: z.number().nullable(),
});
export type ConfusionResult = z.infer<typeof ConfusionResult>;

const JobStarted = z.object({ jobId: z.string() });

export const trainingMethods = {
  'training.train': method(TrainConfig, JobStarted, 'Start a supervised training run (a job).'),
  'training.pretrain': method(PretrainConfig, JobStarted, 'Start self-supervised pretraining (a job).'),
  'training.evaluate': method(EvaluateConfig, JobStarted, 'Evaluate a run on a split of a dataset (a job).'),
  'training.predict': method(PredictConfig, JobStarted, 'Predict with a run and write CSV, GeoJSON and masks (a job).'),
  'training.experiment': method(LabelEfficiencyConfig, JobStarted, 'Run the label-efficiency experiment (a job).'),
  'training.run': method(z.object({ path: z.string().min(1) }), RunInfo, 'Read a run folder: config, history, test metrics.'),
  'training.predictions': method(
    z.object({
      /** A predict output folder (predictions.geojson). */
      dir: z.string().min(1),
      /** The dataset predicted on: adds each patch's split and true class. */
      data: z.string().min(1).nullable().default(null),
    }),
    PredictionsResult,
    'Read a predict output folder: heads with class colours, per-patch predictions (and truth with `data`).',
  ),
  'training.maskImage': method(
    z.object({
      dir: z.string().min(1),
      patchId: z.string().min(1),
      target: TargetName.default('worldcover'),
      view: MaskView.default('prediction'),
      /** The dataset predicted on (its WorldCover map is the truth of the errors view). */
      data: z.string().min(1).nullable().default(null),
    }),
    MaskImage,
    'A predicted segmentation mask as a PNG in WorldCover colours, or its errors against the WorldCover truth.',
  ),
  'training.confusion': method(
    z.object({
      dir: z.string().min(1),
      /** The dataset predicted on (the truth). */
      data: z.string().min(1),
      target: TargetName,
      split: z.enum(['train', 'val', 'test', 'all']).default('all'),
    }),
    ConfusionResult,
    'Confusion matrix of one head of a predict folder against the dataset (patches, or pixels for masks).',
  ),
};
