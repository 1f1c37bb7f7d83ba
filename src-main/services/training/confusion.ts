import { existsSync } from 'node:fs';
import { ApiError } from '../../api/errors';
import type { ConfusionResult } from '../../api/training';
import type { PatchDataset } from '../../core/data/dataset';
import type { TargetId } from '../../core/data/modalities';
import { readRaster } from '../../core/geo/raster';
import { ConfusionMatrix, classificationMetrics } from '../../core/train/metrics-classification';
import { maskPath } from './mask-image';
import { readPredictions } from './predictions';

/**
 * The confusion matrix of one head of a predict folder against the dataset it predicted on, with the metrics
 * layer's ConfusionMatrix (so accuracy, F1 and IoU are computed exactly as in training): per patch for
 * classification, per pixel of the mask GeoTIFFs against the WorldCover maps for segmentation.
 */

/** Nodata of the packed cache's WorldCover records. */
const TRUTH_NODATA = 255;

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** `dir` and `data` must have passed the PathGuard; `ds` is the dataset at `data`. */
export async function confusionOf(
  req: { dir: string; data: string; target: TargetId; split: 'train' | 'val' | 'test' | 'all' },
  ds: PatchDataset,
): Promise<ConfusionResult> {
  const preds = await readPredictions(req.dir, req.data);
  const head = preds.heads.find((h) => h.target === req.target);
  if (!head) throw new ApiError('not_found', `${req.dir} has no predictions of ${req.target}`);
  if (head.task !== 'classification' && head.task !== 'segmentation') throw new ApiError('bad_request', `${req.target} is a ${head.task} head: no confusion matrix`);
  const k = head.classNames.length;
  const chosen = preds.patches.filter((p) => req.split === 'all' || p.split === req.split);
  let patches = 0;
  let cm: ConfusionMatrix;
  if (head.task === 'classification') {
    cm = new ConfusionMatrix(k);
    const yTrue: number[] = [];
    const yPred: number[] = [];
    for (const p of chosen) {
      const t = p.byTarget[req.target];
      if (!t || t.index === null || t.truth === null) continue;
      yTrue.push(t.truth);
      yPred.push(t.index);
    }
    cm.add(yTrue, yPred);
    patches = yTrue.length;
  } else {
    cm = new ConfusionMatrix(k, TRUTH_NODATA);
    for (const p of chosen) {
      const i = ds.ids.indexOf(p.id);
      const file = maskPath(req.dir, p.id, req.target);
      if (i < 0 || !ds.cache.has('worldcover', i) || !existsSync(file)) continue;
      const mask = (await readRaster(file)).bands[0];
      const truth = ds.cache.record('worldcover', i);
      if (truth.length !== mask.length) continue;
      cm.add(truth, mask);
      patches++;
    }
  }
  const m = classificationMetrics(cm);
  const empty = cm.total === 0;
  return {
    target: req.target,
    task: head.task,
    classNames: head.classNames,
    matrix: cm.toRows(),
    unit: head.task === 'segmentation' ? 'pixels' : 'patches',
    patches,
    accuracy: empty ? null : finite(m.accuracy),
    f1_macro: empty ? null : finite(m.f1_macro),
    iou_macro: empty ? null : finite(m.iou_macro),
  };
}
