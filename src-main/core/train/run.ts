import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { EvaluateConfig, PredictConfig, PretrainConfig, TrainConfig } from '../../api/training';
import { getEngineInfo } from '../engine';
import { PatchDataset, type DataKey } from '../data/dataset';
import { PATCH_SIZE, type ModalityId, type TargetId } from '../data/modalities';
import { createRng } from '../data/rng';
import { labelFraction } from '../data/splits';
import { PredictionWriter, type PredictionFiles } from '../infer/writers';
import { predictPatches } from '../infer/predict';
import { parseTaskModelSpec, type TaskModelSpec } from '../models/spec';
import { encoderParts } from '../models/fusion';
import { buildTaskModel } from '../models/task-model';
import { classNamesOf } from '../infer/classes';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointMeta,
  loadCheckpoint,
  loadCheckpointWeights,
  readCheckpointMeta,
  writeCheckpoint,
} from './checkpoint';
import { headObjectives } from './heads';
import { defaultStoppingMetric, evaluate, fit, TrainingCancelled, type EpochRecord, type TrainProgress } from './loop';
import {
  CHECKPOINT_DIR,
  cleanMetrics,
  CONFIG_JSON,
  assertRunFolderFree,
  createRunFolder,
  finiteOrNull,
  HISTORY_JSON,
  type HistoryEntry,
  resolveCheckpointDir,
  RUN_JSON,
  type RunRecord,
  writeRunJson,
} from './run-folder';
import { buildSslModels, pretrain, type SslEpochRecord } from './ssl';
import { applyTransfer, matchEncoders, modalityBands, modalityNormalisation, type RunSignature } from './transfer';

/**
 * Runs as the services and the CLI start them: open the dataset, build or load the model, train / pretrain /
 * evaluate / predict, and keep the run folder (run-folder.ts) up to date. Pure core: progress and logs go to
 * callbacks, cancellation comes in as an AbortSignal; the jobs layer puts these in a worker thread.
 */

export type RunProgress = TrainProgress & { stage?: string };

export interface RunContext {
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /** An already opened dataset (experiments reuse one across runs). */
  dataset?: PatchDataset;
  /** Where the packed cache of the dataset lives (default: the data layer's). */
  cacheDir?: string;
}

export interface TrainSummary {
  run: string;
  status: 'done';
  epochs: number;
  best: { epoch: number; metric: string; value: number | null } | null;
  /** Flat snake_case test metrics: bare names for one head, `target.metric` for several; `loss` always. */
  test: Record<string, number | null>;
  seconds: number;
  checkpoint: string;
  dataset: NonNullable<RunRecord['dataset']>;
}

function engineOf(): { backend: string; version: string } {
  const info = getEngineInfo();
  return info ? { backend: info.backend, version: info.version } : { backend: tf.getBackend(), version: tf.version_core };
}

async function openDataset(path: string, ctx: RunContext, stats?: CheckpointMeta['stats']): Promise<PatchDataset> {
  if (ctx.dataset) {
    if (stats) ctx.dataset.setNormalisation(stats);
    return ctx.dataset;
  }
  ctx.log?.('info', `opening dataset ${path}`);
  return PatchDataset.open(path, { cacheDir: ctx.cacheDir, normalisation: stats });
}

/** A seeded subset of at most `max` patch indices (all when max is null), ascending. */
function subsetFilter(size: number, max: number | null, seed: number): (i: number) => boolean {
  if (max === null || max >= size) return () => true;
  const keep = new Set(createRng(`${seed}/subset`).shuffle([...Array(size).keys()]).slice(0, max));
  return (i) => keep.has(i);
}

/** Flat test metrics for the CLI/JSON: `target.metric` becomes `metric` when there is only one head. */
export function flattenMetrics(metrics: Record<string, number>, targets: TargetId[]): Record<string, number | null> {
  const clean = cleanMetrics(metrics);
  if (targets.length !== 1) return clean;
  const prefix = `${targets[0]}.`;
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(clean)) {
    if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    else if (!(k.slice(prefix.length) in out)) out[k] = v;
  }
  return out;
}

function historyEntry(r: EpochRecord | SslEpochRecord): HistoryEntry {
  return { epoch: r.epoch, lr: r.lr, train_loss: finiteOrNull(r.train.loss), val: cleanMetrics(r.val), seconds: r.seconds };
}

function modalityInfos(modalities: ModalityId[]): CheckpointMeta['modalities'] {
  return modalities.map((m) => ({ id: m, bands: modalityBands(m), normalisation: modalityNormalisation(m) }));
}

function taskModelMeta(spec: TaskModelSpec, encoders: CheckpointMeta['encoders'], stats: CheckpointMeta['stats']): CheckpointMeta {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    kind: 'model',
    created: new Date().toISOString(),
    engine: engineOf(),
    backbone: spec.backbone,
    width: spec.width,
    inputSize: [spec.inputSize, spec.inputSize],
    fusion: spec.fusion,
    modalities: modalityInfos(spec.modalities),
    stats,
    heads: spec.tasks.map((t) => ({
      target: t.target,
      task: t.kind,
      classes: t.classes,
      classNames: classNamesOf(t.target),
      weight: t.weight,
      output: t.target,
    })),
    encoders,
    modelSpec: spec,
  };
}

async function finishFailed(dir: string, record: RunRecord, err: unknown): Promise<void> {
  record.status = err instanceof TrainingCancelled ? 'cancelled' : 'failed';
  record.finished = new Date().toISOString();
  if (!(err instanceof TrainingCancelled)) record.error = err instanceof Error ? err.message : String(err);
  await writeRunJson(dir, RUN_JSON, record);
}

/** Creates the run folder and writes its config and a "running" record (shared by train and pretrain). */
async function startRunFolder(kind: RunRecord['kind'], config: { out: string }): Promise<RunRecord> {
  await createRunFolder(config.out);
  const record: RunRecord = {
    kind,
    status: 'running',
    started: new Date().toISOString(),
    finished: null,
    engine: engineOf(),
    best: null,
    test: null,
    seconds: null,
    notes: [],
  };
  await writeRunJson(config.out, CONFIG_JSON, config);
  await writeRunJson(config.out, RUN_JSON, record);
  return record;
}

/** Supervised training run (optionally from a checkpoint). Throws TrainingCancelled on cancel. */
export async function runTrain(config: TrainConfig, ctx: RunContext = {}): Promise<TrainSummary> {
  const started = performance.now();
  const spec = parseTaskModelSpec({
    modalities: config.modalities,
    fusion: config.fusion,
    backbone: config.backbone,
    width: config.width,
    inputSize: PATCH_SIZE,
    tasks: config.tasks.map((t) => ({ target: t.target, kind: t.task, weight: t.weight })),
    seed: config.seed,
  });
  // Check the checkpoint against the run before anything is created: a bad --from fails fast and leaves no folder.
  const fromDir = config.from !== null ? resolveCheckpointDir(config.from) : undefined;
  const fromMeta = fromDir !== undefined ? await readCheckpointMeta(fromDir) : undefined;
  const signature: RunSignature = {
    backbone: spec.backbone,
    width: spec.width,
    inputSize: spec.inputSize,
    encoders: encoderParts(spec),
    modalities: modalityInfos(spec.modalities),
    heads: spec.tasks.map((t) => ({ target: t.target, task: t.kind, classes: t.classes })),
  };
  if (fromMeta !== undefined) matchEncoders(fromMeta, signature);
  // So is bad input data (a missing folder, an unknown layout): the run folder is created only once the data opens.
  assertRunFolderFree(config.out);
  const ds = await openDataset(config.data, ctx, fromMeta?.stats);
  const record = await startRunFolder('train', config);
  const tm = buildTaskModel(spec);
  try {
    const targets = spec.tasks.map((t) => t.target);
    const require: DataKey[] = [...spec.modalities, ...targets];
    const inSubset = subsetFilter(ds.size, config.maxPatches, config.seed);
    const trainAll = ds.indices({ split: 'train', require }).filter(inSubset);
    const stratifyBy = spec.tasks.find((t) => t.kind !== 'regression')?.target ?? targets[0];
    const labelled =
      config.labelFraction < 1
        ? // Drawn from the (possibly subset) training split itself, so --max-patches and --label-fraction compose.
          labelFraction(trainAll.map((i) => ({ index: i, classes: ds.classesOf(i, stratifyBy) })), config.labelFraction, config.seed).labelled
        : trainAll;
    const val = ds.indices({ split: 'val', require }).filter(inSubset);
    const test = ds.indices({ split: 'test', require }).filter(inSubset);
    if (labelled.length === 0) throw new Error(`no training patch has ${require.join(', ')}`);
    record.dataset = { path: config.data, layout: ds.layout, patches: ds.size, train: trainAll.length, labelled: labelled.length, val: val.length, test: test.length };
    ctx.log?.('info', `patches: ${labelled.length} labelled of ${trainAll.length} train, ${val.length} val, ${test.length} test`);

    let lrScaleOf: ((name: string) => number) | undefined;
    if (fromDir !== undefined && fromMeta !== undefined && config.transfer !== null) {
      const { weights } = await loadCheckpointWeights(fromDir);
      try {
        const t = applyTransfer(tm, fromMeta, weights, signature, config.transfer, config.backboneLrScale);
        lrScaleOf = t.lrScaleOf;
        record.notes.push(`transfer ${config.transfer} from ${fromDir}`, ...t.notes);
        for (const n of t.notes) ctx.log?.('info', n);
      } finally {
        tf.dispose(weights);
      }
    }
    await writeRunJson(config.out, RUN_JSON, record);

    const heads = headObjectives(spec);
    const stopping = config.stopMetric
      ? { metric: config.stopMetric, mode: config.stopMetric.endsWith('loss') ? ('min' as const) : ('max' as const), patience: config.patience ?? Infinity }
      : { ...defaultStoppingMetric(spec.tasks.map((t) => ({ target: t.target, task: t.kind }))), patience: config.patience ?? Infinity };
    const history: HistoryEntry[] = [];
    const checkpointDir = join(config.out, CHECKPOINT_DIR);
    const stats = ds.normalisation;
    let bestEpoch: { epoch: number; value: number } | undefined;
    const result = await fit({
      model: tm.model,
      inputs: spec.modalities,
      heads,
      source: ds,
      trainIndices: labelled,
      valIndices: val,
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      optimizer: { name: config.optimizer, lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay },
      lrScaleOf,
      schedule: { kind: config.schedule, warmupEpochs: config.warmupEpochs },
      augment: config.augment,
      earlyStopping: stopping,
      signal: ctx.signal,
      onProgress: (p) => ctx.onProgress?.(p),
      onEpochEnd: async (rec, best) => {
        history.push(historyEntry(rec));
        await writeRunJson(config.out, HISTORY_JSON, history);
        const value = val.length > 0 ? rec.val[stopping.metric] : Number.NaN;
        ctx.log?.(
          'info',
          `epoch ${rec.epoch}/${config.epochs} loss ${rec.train.loss.toFixed(4)}` +
            (val.length > 0 ? ` val ${stopping.metric} ${value.toFixed(4)}${best ? ' (best)' : ''}` : ''),
        );
        if (best) {
          bestEpoch = { epoch: rec.epoch, value };
          const meta = taskModelMeta(spec, tm.encoders, stats);
          meta.training = { epoch: rec.epoch, metric: stopping.metric, value: finiteOrNull(value), seed: config.seed, transfer: config.transfer, from: fromDir ?? null };
          await writeCheckpoint(checkpointDir, tm.model, meta);
        }
      },
    });
    record.best = bestEpoch ? { epoch: bestEpoch.epoch, metric: stopping.metric, value: finiteOrNull(bestEpoch.value) } : null;
    if (result.stoppedEarly) record.notes.push(`stopped early after epoch ${result.history.length}`);

    let testMetrics: Record<string, number | null> = {};
    if (test.length > 0) {
      const m = await evaluate({ model: tm.model, inputs: spec.modalities, heads, source: ds, indices: test, batchSize: config.batchSize, signal: ctx.signal });
      testMetrics = flattenMetrics(m, targets);
    } else {
      record.notes.push('no test split: no test metrics');
    }
    record.test = testMetrics;
    record.status = 'done';
    record.finished = new Date().toISOString();
    record.seconds = (performance.now() - started) / 1000;
    await writeRunJson(config.out, RUN_JSON, record);
    return {
      run: config.out,
      status: 'done',
      epochs: result.history.length,
      best: record.best,
      test: testMetrics,
      seconds: record.seconds,
      checkpoint: checkpointDir,
      dataset: record.dataset,
    };
  } catch (err) {
    await finishFailed(config.out, record, err);
    throw err;
  } finally {
    tm.model.dispose();
  }
}

export interface PretrainSummary {
  run: string;
  status: 'done';
  method: string;
  epochs: number;
  best: { epoch: number; metric: string; value: number | null } | null;
  /** Last epoch's validation NT-Xent and retrieval top-1 (share of S2 patches whose S1 partner is the nearest). */
  val: Record<string, number | null>;
  seconds: number;
  checkpoint: string;
}

/** Self-supervised pretraining run; writes an 'encoder' checkpoint. Throws TrainingCancelled on cancel. */
export async function runPretrain(config: PretrainConfig, ctx: RunContext = {}): Promise<PretrainSummary> {
  const started = performance.now();
  assertRunFolderFree(config.out);
  const ds = await openDataset(config.data, ctx);
  const record = await startRunFolder('pretrain', config);
  const models = buildSslModels({
    method: config.method,
    backbone: config.backbone,
    width: config.width,
    inputSize: PATCH_SIZE,
    modalities: config.modalities ?? ['s2'],
    seed: config.seed,
  });
  try {
    const modalities = [...new Set(models.encoders.flatMap((e) => e.modalities))];
    const inSubset = subsetFilter(ds.size, config.maxPatches, config.seed);
    // Labels are not used: every training patch with the input modalities counts.
    const train = ds.indices({ split: 'train', require: modalities }).filter(inSubset);
    const val = ds.indices({ split: 'val', require: modalities }).filter(inSubset);
    record.dataset = { path: config.data, layout: ds.layout, patches: ds.size, train: train.length, labelled: 0, val: val.length, test: 0 };
    ctx.log?.('info', `${config.method}: ${train.length} unlabelled training patches, ${val.length} validation`);
    await writeRunJson(config.out, RUN_JSON, record);
    const history: HistoryEntry[] = [];
    const checkpointDir = join(config.out, CHECKPOINT_DIR);
    const stats = ds.normalisation;
    const result = await pretrain({
      method: config.method,
      models,
      source: ds,
      trainIndices: train,
      valIndices: val,
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      optimizer: { name: config.optimizer, lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay },
      schedule: { kind: config.schedule, warmupEpochs: config.warmupEpochs },
      temperature: config.temperature,
      signal: ctx.signal,
      onProgress: (p) => ctx.onProgress?.(p),
      onEpochEnd: async (rec, best) => {
        history.push(historyEntry(rec));
        await writeRunJson(config.out, HISTORY_JSON, history);
        ctx.log?.('info', `epoch ${rec.epoch}/${config.epochs} nt-xent ${rec.train.loss.toFixed(4)}` + (rec.val.loss !== undefined ? ` val ${rec.val.loss.toFixed(4)} top1 ${rec.val.top1.toFixed(3)}` : ''));
        if (best) {
          const meta: CheckpointMeta = {
            format: CHECKPOINT_FORMAT,
            version: CHECKPOINT_VERSION,
            kind: 'encoder',
            created: new Date().toISOString(),
            engine: engineOf(),
            backbone: config.backbone,
            width: config.width,
            inputSize: [PATCH_SIZE, PATCH_SIZE],
            modalities: modalityInfos(modalities),
            stats,
            heads: [],
            encoders: models.encoders,
            training: { method: config.method, epoch: rec.epoch, val_loss: finiteOrNull(rec.val.loss), temperature: config.temperature, seed: config.seed },
          };
          await writeCheckpoint(checkpointDir, models.encoder, meta);
        }
      },
    });
    const last = result.history.at(-1);
    record.best = result.best ? { epoch: result.best.epoch, metric: 'loss', value: finiteOrNull(result.best.value) } : null;
    record.status = 'done';
    record.finished = new Date().toISOString();
    record.seconds = (performance.now() - started) / 1000;
    await writeRunJson(config.out, RUN_JSON, record);
    return {
      run: config.out,
      status: 'done',
      method: config.method,
      epochs: result.history.length,
      best: record.best,
      val: last ? cleanMetrics(last.val) : {},
      seconds: record.seconds,
      checkpoint: checkpointDir,
    };
  } catch (err) {
    await finishFailed(config.out, record, err);
    throw err;
  } finally {
    models.encoder.dispose();
    models.projector.dispose();
  }
}

/** The task-model spec stored with a model checkpoint (an encoder checkpoint cannot be evaluated or used to predict). */
function modelSpecOf(meta: CheckpointMeta, dir: string): TaskModelSpec {
  if (meta.kind !== 'model' || meta.modelSpec === undefined) {
    throw new Error(`${dir} holds pretrained encoders, not a task model; fine-tune it first (terrafuse train --from ${dir} ...)`);
  }
  return parseTaskModelSpec(meta.modelSpec);
}

export interface EvaluateSummary {
  run: string;
  checkpoint: string;
  split: string;
  patches: number;
  metrics: Record<string, number | null>;
}

export async function runEvaluate(config: EvaluateConfig, ctx: RunContext = {}): Promise<EvaluateSummary> {
  const dir = resolveCheckpointDir(config.run);
  const { model, meta } = await loadCheckpoint(dir);
  try {
    const spec = modelSpecOf(meta, dir);
    const ds = await openDataset(config.data, ctx, meta.stats);
    const targets = spec.tasks.map((t) => t.target);
    const indices = ds.indices({ split: config.split, require: [...spec.modalities, ...targets] });
    if (indices.length === 0) throw new Error(`the ${config.split} split of ${config.data} has no patch with ${[...spec.modalities, ...targets].join(', ')}`);
    const m = await evaluate({
      model,
      inputs: spec.modalities,
      heads: headObjectives(spec),
      source: ds,
      indices,
      batchSize: config.batchSize,
      signal: ctx.signal,
      onStep: (step, steps) =>
        ctx.onProgress?.({ phase: 'val', epoch: 1, epochs: 1, step, steps, progress: step / steps, lr: 0 }),
    });
    return { run: config.run, checkpoint: dir, split: config.split, patches: indices.length, metrics: flattenMetrics(m, targets) };
  } finally {
    model.dispose();
  }
}

export interface PredictSummary extends PredictionFiles {
  run: string;
  checkpoint: string;
  out: string;
}

export async function runPredict(config: PredictConfig, ctx: RunContext = {}): Promise<PredictSummary> {
  const dir = resolveCheckpointDir(config.run);
  const { model, meta } = await loadCheckpoint(dir);
  try {
    const spec = modelSpecOf(meta, dir);
    const ds = await openDataset(config.data, ctx, meta.stats);
    const indices = ds.indices({ split: config.split === 'all' ? undefined : config.split, require: spec.modalities });
    if (indices.length === 0) throw new Error(`${config.data} has no patch with ${spec.modalities.join(', ')}`);
    const heads = spec.tasks.map((t, i) => ({ target: t.target, kind: t.kind, output: i }));
    const writer = new PredictionWriter(config.out, heads);
    for await (const p of predictPatches({
      model,
      inputs: spec.modalities,
      heads,
      source: ds,
      indices,
      batchSize: config.batchSize,
      threshold: config.threshold,
      signal: ctx.signal,
      onStep: (done, total) =>
        ctx.onProgress?.({ phase: 'val', epoch: 1, epochs: 1, step: done, steps: total, progress: done / total, lr: 0 }),
    })) {
      const grid = ds.cache.header.patches[p.index].grid;
      const fp = ds.footprint(p.index);
      const centre = fp?.bboxWgs84 ? { lon: (fp.bboxWgs84[0] + fp.bboxWgs84[2]) / 2, lat: (fp.bboxWgs84[1] + fp.bboxWgs84[3]) / 2 } : {};
      await writer.add(p, { grid: grid ?? undefined, ...centre });
    }
    const files = await writer.finish();
    return { run: config.run, checkpoint: dir, out: config.out, ...files };
  } finally {
    model.dispose();
  }
}
