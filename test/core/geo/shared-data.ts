/** The real data of ../shared/data (relative to the repository) and its GDAL reference readings. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED_DATA = resolve(REPO, '../shared/data');

export interface ReferenceBand {
  valid: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** [row, col, value]; NaN pixels are null. */
  samples: [number, number, number | null][];
}

export interface ReferenceFile {
  width: number;
  height: number;
  count: number;
  dtype: string;
  crs_epsg: number | null;
  transform: number[];
  nodata: number | 'nan' | null;
  overviews: number;
  compression: string | null;
  tiled: boolean;
  bands: ReferenceBand[];
}

export const REFERENCE_SETS = ['geotiff-zoo', 'bigearthnet-v1'] as const;

/** Every file of a REFERENCE.json as [absolute path, relative name, what GDAL read]. */
export function referenceFiles(set: (typeof REFERENCE_SETS)[number]): [string, string, ReferenceFile][] {
  const file = join(SHARED_DATA, set, 'REFERENCE.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: the tests read the real data in ../shared/data`);
  const ref = JSON.parse(readFileSync(file, 'utf8')) as Record<string, ReferenceFile>;
  return Object.entries(ref).map(([name, r]) => [join(SHARED_DATA, set, name), name, r]);
}

/** Mean tolerance: GDAL/numpy accumulate in float64 too, so only summation order differs. */
export const MEAN_RTOL = 1e-12;

export function expectMean(actual: number | null, expected: number | null): void {
  if (expected === null || actual === null) {
    if (actual !== expected) throw new Error(`mean ${actual} vs ${expected}`);
    return;
  }
  const rel = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  if (rel > MEAN_RTOL) throw new Error(`mean ${actual} vs GDAL ${expected} (relative difference ${rel.toExponential(2)})`);
}
