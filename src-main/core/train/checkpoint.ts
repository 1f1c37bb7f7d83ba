import type * as tf from '@tensorflow/tfjs';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ModalityId, TargetId } from '../data/modalities';
import type { NormalisationStats } from '../data/normalise';
import { loadModel, loadNamedWeights, saveModel } from './model-io';

/**
 * A checkpoint is a folder: the tfjs artifacts (model.json + weights.bin) and `meta.json`, everything a later run
 * needs to use the weights correctly — modalities with their band order and normalisation statistics, the task and
 * classes, input size, backbone and width, and which sub-network encodes which modalities (for transfer).
 *
 * Writing is atomic at the folder level: the files go into a hidden staging folder next to the target, which is
 * renamed into place only when complete. A crash or a cancel in the middle leaves the previous checkpoint (or none),
 * never a folder with a model.json and half a weights.bin.
 */

export const CHECKPOINT_FORMAT = 'terrafuse.checkpoint';
export const CHECKPOINT_VERSION = 1;
export const META_JSON = 'meta.json';

export type TaskKind = 'classification' | 'multilabel' | 'segmentation' | 'regression';
export type BackboneName = 'resnet18' | 'unet';

export interface ModalityInfo {
  id: ModalityId;
  /** Channel order the weights expect (band names, or class names for one-hot inputs). */
  bands: string[];
  /** How the inputs were normalised (the data layer's rule, e.g. "clip(DN / 10000, 0, 1)"); must match to reuse. */
  normalisation?: string;
}

export interface HeadInfo {
  target: TargetId;
  task: TaskKind;
  classes: number;
  classNames?: string[];
  /** Loss weight in the multitask sum. */
  weight: number;
  /** Name of the model output that produces this head. */
  output: string;
}

/**
 * One encoder (backbone) inside the saved model: its layers are named `${prefix}__...` (see models/names.ts) and it
 * reads the channels of `modalities`, stacked in this order. Transfer matches encoders by their modalities.
 */
export interface EncoderInfo {
  prefix: string;
  modalities: ModalityId[];
  channels: number;
  /** Length of the pooled feature vector (ResNet) or base width (U-Net). */
  features: number;
}

export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** 'model': a full task model (train); 'encoder': pretrained encoders only (pretrain). */
  kind: 'model' | 'encoder';
  created: string;
  engine: { backend: string; version: string };
  backbone: BackboneName;
  width: number;
  /** [height, width] of the input patches. */
  inputSize: [number, number];
  fusion?: 'early' | 'late';
  modalities: ModalityInfo[];
  /** DEM and ERA-5 statistics of the training split, reused unchanged by every later run on these weights. */
  stats?: NormalisationStats;
  heads: HeadInfo[];
  encoders: EncoderInfo[];
  /** The spec the model was built from (models/buildTaskModel), to rebuild it exactly. */
  modelSpec?: unknown;
  /** How the weights were obtained: epoch, metric, SSL method, seed... */
  training?: Record<string, string | number | boolean | null>;
}

/** Writes `model` and `meta` to the checkpoint folder `dir`, replacing an existing one only once complete. */
export async function writeCheckpoint(dir: string, model: tf.LayersModel, meta: CheckpointMeta): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tag = randomBytes(4).toString('hex');
  const staging = join(parent, `.${basename(dir)}.tmp-${tag}`);
  await mkdir(staging);
  try {
    await saveModel(model, staging);
    // meta.json last: a folder with meta.json is a finished checkpoint even if copied by hand.
    await writeFile(join(staging, META_JSON), `${JSON.stringify(meta, null, 2)}\n`);
    await swapInto(staging, dir, tag);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Moves the finished staging folder to `dir`. Node has no atomic directory exchange, so an existing checkpoint is
 * first renamed aside, the new one renamed in, and the old one deleted; if the process dies between the two renames,
 * `readCheckpointMeta` finds the set-aside copy (see recoverCheckpoint).
 */
async function swapInto(staging: string, dir: string, tag: string): Promise<void> {
  if (!existsSync(dir)) {
    await rename(staging, dir);
    return;
  }
  const old = join(dirname(dir), `.${basename(dir)}.old-${tag}`);
  await rename(dir, old);
  await rename(staging, dir);
  await rm(old, { recursive: true, force: true });
}

/**
 * If `dir` is missing but a set-aside previous version exists (a crash between the two renames of swapInto),
 * puts it back. Leftover staging folders are deleted: they were never complete.
 */
export async function recoverCheckpoint(dir: string): Promise<void> {
  const parent = dirname(dir);
  if (!existsSync(parent)) return;
  const name = basename(dir);
  const entries = await readdir(parent);
  for (const e of entries) {
    if (e.startsWith(`.${name}.tmp-`)) await rm(join(parent, e), { recursive: true, force: true });
  }
  const olds = entries.filter((e) => e.startsWith(`.${name}.old-`));
  if (!existsSync(dir) && olds.length > 0 && existsSync(join(parent, olds[0], META_JSON))) {
    await rename(join(parent, olds[0]), dir);
  } else {
    for (const e of olds) await rm(join(parent, e), { recursive: true, force: true });
  }
}

export async function readCheckpointMeta(dir: string): Promise<CheckpointMeta> {
  await recoverCheckpoint(dir);
  let text: string;
  try {
    text = await readFile(join(dir, META_JSON), 'utf8');
  } catch {
    throw new Error(`${dir} is not a Terrafuse checkpoint (no ${META_JSON})`);
  }
  const meta = JSON.parse(text) as CheckpointMeta;
  if (meta.format !== CHECKPOINT_FORMAT) throw new Error(`${dir}/${META_JSON}: not a Terrafuse checkpoint (format ${String(meta.format)})`);
  if (meta.version > CHECKPOINT_VERSION) {
    throw new Error(`${dir}: checkpoint version ${meta.version} is newer than this Terrafuse understands (${CHECKPOINT_VERSION})`);
  }
  return meta;
}

/** The model and its metadata. The caller disposes the model. */
export async function loadCheckpoint(dir: string): Promise<{ model: tf.LayersModel; meta: CheckpointMeta }> {
  const meta = await readCheckpointMeta(dir);
  const model = await loadModel(dir);
  return { model, meta };
}

/** The weights by layer-scoped name and the metadata, without building the model (for transfer). */
export async function loadCheckpointWeights(dir: string): Promise<{ weights: tf.NamedTensorMap; meta: CheckpointMeta }> {
  const meta = await readCheckpointMeta(dir);
  return { weights: await loadNamedWeights(dir), meta };
}
