import type { PredictionsResult } from '../../../../src-main/api/training';

/**
 * The pure side of the "Prediction" map layer (prediction-mask-layer.svelte.ts): which masks to ask for
 * (training.maskImage) and the swipe's clip. No map, no DOM.
 */

export type MaskView = 'prediction' | 'errors';

/** At most this many masks are placed (a predict folder of a whole dataset would otherwise load them all). */
export const MAX_MASKS = 300;

export interface MaskRequest {
  dir: string;
  patchId: string;
  target: 'worldcover' | 'lulc' | 'landcover';
  view: MaskView;
  data: string | null;
}

const MASK_TARGETS = new Set(['worldcover', 'lulc', 'landcover']);

/** The segmentation head whose masks hold WorldCover classes, or null. */
export function maskTarget(result: PredictionsResult): MaskRequest['target'] | null {
  const head = result.heads.find((h) => h.task === 'segmentation' && MASK_TARGETS.has(h.target));
  return head ? (head.target as MaskRequest['target']) : null;
}

/**
 * One request per patch with a mask, `first` ids (e.g. the patches in view) leading. The errors view needs the
 * dataset; without it there is nothing to ask for.
 */
export function maskRequests(result: PredictionsResult, view: MaskView, data: string | null, first: readonly string[] = [], max = MAX_MASKS): MaskRequest[] {
  const target = maskTarget(result);
  if (target === null || (view === 'errors' && data === null)) return [];
  const withMask = result.patches.filter((p) => p.byTarget[target]?.mask).map((p) => p.id);
  const have = new Set(withMask);
  const lead = first.filter((id) => have.has(id));
  const leadSet = new Set(lead);
  const ordered = [...lead, ...withMask.filter((id) => !leadSet.has(id))];
  return ordered.slice(0, max).map((patchId) => ({ dir: result.dir, patchId, target, view, data }));
}

/**
 * The swipe: the prediction shows left of the slider, the layers below it (the WorldCover ground truth) to the
 * right. `fraction` 0..1 of the map's width; the rectangle is in canvas pixels [x, y, width, height].
 */
export function swipeClip(fraction: number, canvasWidth: number, canvasHeight: number): [number, number, number, number] {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 1;
  return [0, 0, Math.round(canvasWidth * f), canvasHeight];
}
