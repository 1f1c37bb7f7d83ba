import { childPath, timeStamp } from './experiment-form';

/**
 * Predictions of a run: the predict job writes `<run>/predictions/<stamp>/` with predictions.csv, predictions.geojson
 * (footprints, class, confidence per patch) and masks/<patch>__<target>.tif (GeoTIFFs on each patch's own grid).
 */

export const PREDICTIONS_DIR = 'predictions';

export function predictFolderFor(runPath: string, split: string, now: Date): string {
  return childPath(runPath, PREDICTIONS_DIR, `${timeStamp(now)}-${split}`);
}

export interface PredictResult {
  out: string;
  csv: string | null;
  geojson: string | null;
  /** Number of mask GeoTIFFs written. */
  masks: number;
  patches: number;
  withoutGrid: number;
}

/** The predict job's result (core/train/run.ts PredictSummary with the mask list counted), or null. */
export function predictResultOf(result: unknown): PredictResult | null {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return null;
  const r = result as Record<string, unknown>;
  if (typeof r.out !== 'string') return null;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    out: r.out,
    csv: typeof r.csv === 'string' ? r.csv : null,
    geojson: typeof r.geojson === 'string' ? r.geojson : null,
    masks: Array.isArray(r.masks) ? r.masks.length : n(r.masks),
    patches: n(r.patches),
    withoutGrid: n(r.withoutGrid),
  };
}

/** The mask file of a patch and target, as the writer names it (ids made file-system safe). */
export function maskFileName(patchId: string, target: string): string {
  return `${patchId.replace(/[^A-Za-z0-9._-]/g, '_')}__${target}.tif`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
