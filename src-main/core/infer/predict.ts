import * as tf from '@tensorflow/tfjs';
import type { ModalityId, TargetId } from '../data/modalities';
import { createRng } from '../data/rng';
import { activateOutput } from '../models/heads';
import type { TaskKind } from '../models/spec';
import { type BatchSource, inputTensors, throwIfAborted } from '../train/loop';
import { classNamesOf } from './classes';

/**
 * Patch inference: runs a task model over patches in batches (inference mode, one tidy per batch) and yields one
 * PatchPrediction per patch, so writers can stream masks to disk instead of holding them all.
 */

export interface HeadOutputSpec {
  target: TargetId;
  kind: TaskKind;
  /** Index of the model output. */
  output: number;
}

export type HeadPrediction =
  | { kind: 'classification'; classIndex: number; className: string; confidence: number; probabilities: Float32Array }
  | { kind: 'multilabel'; indices: number[]; labels: string[]; probabilities: Float32Array }
  | { kind: 'regression'; value: number }
  | {
      kind: 'segmentation';
      /** Class index per pixel, row-major [h * w]. */
      mask: Uint8Array;
      /** Probability of the chosen class per pixel. */
      confidence: Float32Array;
      height: number;
      width: number;
      /** Mean of `confidence`. */
      meanConfidence: number;
      /** Most frequent class of the mask and its share of the pixels. */
      dominant: { classIndex: number; className: string; share: number };
    };

export interface PatchPrediction {
  /** Index of the patch in the source. */
  index: number;
  id: string;
  heads: Partial<Record<TargetId, HeadPrediction>>;
}

export interface PredictOptions {
  model: tf.LayersModel;
  inputs: ModalityId[];
  heads: HeadOutputSpec[];
  source: BatchSource;
  indices: number[];
  batchSize: number;
  /** Probability above which a multi-label class is predicted (default 0.5). */
  threshold?: number;
  signal?: AbortSignal;
  onStep?: (done: number, total: number) => void;
}

interface RawHead {
  probs: Float32Array;
  shape: number[];
}

function argmaxRow(p: Float32Array, offset: number, n: number): [number, number] {
  let best = 0;
  let value = p[offset];
  for (let k = 1; k < n; k++) {
    if (p[offset + k] > value) {
      value = p[offset + k];
      best = k;
    }
  }
  return [best, value];
}

function decode(head: HeadOutputSpec, raw: RawHead, i: number, threshold: number): HeadPrediction {
  const names = classNamesOf(head.target);
  const { probs, shape } = raw;
  switch (head.kind) {
    case 'classification': {
      const c = shape[1];
      const [k, v] = argmaxRow(probs, i * c, c);
      return { kind: 'classification', classIndex: k, className: names[k] ?? String(k), confidence: v, probabilities: probs.slice(i * c, (i + 1) * c) };
    }
    case 'multilabel': {
      const c = shape[1];
      const p = probs.slice(i * c, (i + 1) * c);
      const indices = [...p.keys()].filter((k) => p[k] >= threshold);
      return { kind: 'multilabel', indices, labels: indices.map((k) => names[k] ?? String(k)), probabilities: p };
    }
    case 'regression':
      return { kind: 'regression', value: probs[i] };
    case 'segmentation': {
      const [, h, w, c] = shape;
      if (c > 255) throw new Error(`segmentation with ${c} classes does not fit a uint8 mask`);
      const mask = new Uint8Array(h * w);
      const confidence = new Float32Array(h * w);
      const counts = new Array<number>(c).fill(0);
      let sum = 0;
      const base = i * h * w * c;
      for (let px = 0; px < h * w; px++) {
        const [k, v] = argmaxRow(probs, base + px * c, c);
        mask[px] = k;
        confidence[px] = v;
        counts[k] += 1;
        sum += v;
      }
      const dom = counts.indexOf(Math.max(...counts));
      return {
        kind: 'segmentation',
        mask,
        confidence,
        height: h,
        width: w,
        meanConfidence: sum / (h * w),
        dominant: { classIndex: dom, className: names[dom] ?? String(dom), share: counts[dom] / (h * w) },
      };
    }
  }
}

/** Predictions for `opts.indices`, in that order, one patch at a time. */
export async function* predictPatches(opts: PredictOptions): AsyncGenerator<PatchPrediction> {
  const threshold = opts.threshold ?? 0.5;
  const rng = createRng('predict');
  let done = 0;
  for (let start = 0; start < opts.indices.length; start += opts.batchSize) {
    throwIfAborted(opts.signal);
    const idx = opts.indices.slice(start, start + opts.batchSize);
    const batch = await opts.source.getBatch(idx, { modalities: opts.inputs, targets: [], augment: false, rng });
    const raws: RawHead[] = tf.tidy(() => {
      const out = opts.model.apply(inputTensors(batch, opts.inputs), { training: false });
      const ys = (Array.isArray(out) ? out : [out]) as tf.Tensor[];
      return opts.heads.map((h) => {
        const y = activateOutput(h.kind, ys[h.output]);
        return { probs: y.dataSync() as Float32Array, shape: y.shape };
      });
    });
    for (let i = 0; i < idx.length; i++) {
      const heads: PatchPrediction['heads'] = {};
      opts.heads.forEach((h, k) => (heads[h.target] = decode(h, raws[k], i, threshold)));
      yield { index: idx[i], id: batch.ids[i], heads };
    }
    done += idx.length;
    opts.onStep?.(done, opts.indices.length);
  }
}
