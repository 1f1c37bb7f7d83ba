import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../api/errors';
import { TargetName, type PredictionHead, type PredictionsResult, type TargetPrediction } from '../../api/training';
import type { PatchDataset } from '../../core/data/dataset';
import { WORLDCOVER_CLASSES, type TargetId } from '../../core/data/modalities';
import { classNamesOf } from '../../core/infer/classes';
import { openPredictionDataset } from './open-dataset';

/**
 * Reads a predict output folder (predictions.geojson written by core/infer/writers) back into the contract's
 * PredictionsResult: which heads it holds, their class colours, and each patch's prediction per head. The folder
 * does not record the dataset, so the truth and the split come from `data` when the caller names it.
 */

export const PREDICTIONS_GEOJSON = 'predictions.geojson';

type Props = Record<string, string | number | null | undefined>;

const WORLDCOVER_TARGETS: ReadonlySet<TargetId> = new Set(['lulc', 'landcover', 'worldcover']);

/** Distinct colours for a vocabulary without official ones: hues spaced by the golden angle, deterministic. */
export function paletteOf(target: TargetId, n: number): string[] {
  if (WORLDCOVER_TARGETS.has(target)) return WORLDCOVER_CLASSES.map((c) => c.color);
  return Array.from({ length: n }, (_, k) => hslHex((k * 137.508) % 360, 0.65, 0.48));
}

/** #rrggbb of an HSL colour (the renderer's colour tables take hex). */
function hslHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): string => {
    const k = (n + h / 30) % 12;
    const v = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** The heads of a folder, from the property names the writer uses per task (`<target>_mask` marks segmentation). */
export function headsOf(properties: Props): PredictionHead[] {
  const heads: PredictionHead[] = [];
  for (const target of TargetName.options) {
    const has = (suffix: string): boolean => `${target}_${suffix}` in properties;
    const task: PredictionHead['task'] | null = has('mask') || has('share')
      ? 'segmentation'
      : has('index')
        ? 'classification'
        : has('labels')
          ? 'multilabel'
          : has('value')
            ? 'regression'
            : null;
    if (task === null) continue;
    const classNames = task === 'regression' ? [] : classNamesOf(target);
    heads.push({ target, task, classNames, colors: paletteOf(target, classNames.length) });
  }
  return heads;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function predictionOf(head: PredictionHead, p: Props): Omit<TargetPrediction, 'truth'> {
  const at = (s: string): unknown => p[`${head.target}_${s}`];
  const index = num(at('index'));
  return {
    index: index === null ? null : Math.round(index),
    className: str(at('class')) ?? str(at('labels')),
    confidence: num(at('confidence')),
    value: num(at('value')),
    mask: str(at('mask')),
  };
}

/** The true class of single-class targets (the dominant WorldCover class for worldcover maps). */
function truthOf(ds: PatchDataset, i: number, head: PredictionHead): number | null {
  if (head.task !== 'classification' && head.task !== 'segmentation') return null;
  if (head.target === 'landcover' || head.target === 'ben19' || head.target === 'ben43' || head.target === 'season') return null;
  const classes = ds.classesOf(i, head.target);
  return classes.length === 1 && Number.isInteger(classes[0]) ? classes[0] : null;
}

/** `dir` and `data` must already have passed the PathGuard; `cacheDir` is the dataset's packed cache folder. */
export async function readPredictions(dir: string, data: string | null, cacheDir?: string): Promise<PredictionsResult> {
  const file = join(dir, PREDICTIONS_GEOJSON);
  if (!existsSync(file)) throw new ApiError('not_found', `${dir} is not a predict output folder (no ${PREDICTIONS_GEOJSON})`);
  const fc = JSON.parse(await readFile(file, 'utf8')) as { features?: { id?: string; properties?: Props }[] };
  const features = (fc.features ?? []).map((f) => ({ id: String(f.properties?.id ?? f.id ?? ''), props: f.properties ?? {} }));
  const heads = features.length > 0 ? headsOf(features[0].props) : [];
  const ds = data === null ? null : await openPredictionDataset(data, cacheDir);
  const indexOf = new Map(ds?.ids.map((id, i) => [id, i]) ?? []);
  const patches = features.map(({ id, props }) => {
    const i = indexOf.get(id);
    const byTarget: Record<string, TargetPrediction> = {};
    for (const h of heads) byTarget[h.target] = { ...predictionOf(h, props), truth: ds && i !== undefined ? truthOf(ds, i, h) : null };
    return { id, split: ds && i !== undefined ? (ds.split(i) ?? null) : null, byTarget };
  });
  return { dir, heads, patches };
}
