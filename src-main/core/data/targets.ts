/**
 * Per-patch values that are not images: the vector modalities (climate zone, season, ERA-5) and the patch-level
 * targets (lulc, land-cover multi-label, BigEarthNet 43/19 labels). They are computed once, when the cache is built,
 * and stored as one small Float32 record per patch (NaN = unknown).
 *
 * Decisions:
 * - `lulc` is the dominant WorldCover class: argmax of the fractions CSV when there is one (as the tutorial does,
 *   first class wins ties), else of the class histogram of the map (nodata pixels excluded).
 * - `landcover` (multi-label) marks the classes covering at least `LANDCOVER_THRESHOLD` = 10 % of the patch
 *   (1,440 of 14,400 pixels, 0.144 km2): enough to be a real component of the scene, above the scatter of isolated
 *   misclassified pixels in a 10 m map whose pixel accuracy is about 75 %.
 * - `climatezone`: Beck et al. code 1..30 -> index 0..29; code 0 (patch over water, no zone) -> unknown.
 * - BigEarthNet labels: from the metadata (JSON or parquet) when present; otherwise 43-class labels are the CORINE
 *   classes present in the reference map (any pixel), and 19-class labels follow through the 43 -> 19 mapping.
 */
import { ERA5_VARIABLES, KOPPEN_CLASSES, WORLDCOVER_CLASS_COUNT } from './modalities';
import { BEN19_CLASSES, BEN43_CLASSES, BEN43_TO_BEN19_INDEX, ben19Index, ben43Index, ben43IndexOfClcCode } from './bigearthnet-nomenclature';
import type { PatchEntry } from './layouts/types';
import type { DecodedPatch } from './decode-patch';

export const LANDCOVER_THRESHOLD = 0.1;

/** Layout of the per-patch vector record (Float32, NaN = unknown). */
export const VECTOR_FIELDS = {
  season: { offset: 0, length: 1 },
  climatezone: { offset: 1, length: 1 },
  era5: { offset: 2, length: ERA5_VARIABLES.length },
  fractions: { offset: 2 + ERA5_VARIABLES.length, length: WORLDCOVER_CLASS_COUNT },
  lulc: { offset: 2 + ERA5_VARIABLES.length + WORLDCOVER_CLASS_COUNT, length: 1 },
  ben43: { offset: 3 + ERA5_VARIABLES.length + WORLDCOVER_CLASS_COUNT, length: BEN43_CLASSES.length },
  ben19: { offset: 3 + ERA5_VARIABLES.length + WORLDCOVER_CLASS_COUNT + BEN43_CLASSES.length, length: BEN19_CLASSES.length },
} as const;
export type VectorField = keyof typeof VECTOR_FIELDS;
export const VECTOR_LENGTH = VECTOR_FIELDS.ben19.offset + VECTOR_FIELDS.ben19.length;

/** Index of the largest value; the first one on ties (numpy argmax). -1 when all are NaN or the array is empty. */
export function argmax(values: ArrayLike<number>): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > bestValue) {
      bestValue = values[i];
      best = i;
    }
  }
  return best;
}

/** WorldCover class fractions of a class-index map (IGNORE pixels excluded); undefined when no pixel is valid. */
export function fractionsOfMap(map: Int32Array): number[] | undefined {
  const counts = new Array<number>(WORLDCOVER_CLASS_COUNT).fill(0);
  let valid = 0;
  for (let i = 0; i < map.length; i++) {
    const c = map[i];
    if (c >= 0 && c < WORLDCOVER_CLASS_COUNT) {
      counts[c]++;
      valid++;
    }
  }
  return valid ? counts.map((n) => n / valid) : undefined;
}

/** Climate zone index 0..29 of a Beck et al. code, or -1 (0 = water, out of range = unknown). */
export function climateIndex(code: number | undefined): number {
  if (code === undefined || !Number.isInteger(code) || code < 1 || code > KOPPEN_CLASSES.length) return -1;
  return code - 1;
}

export function computeVectors(entry: PatchEntry, decoded: DecodedPatch | undefined): Float32Array {
  const v = new Float32Array(VECTOR_LENGTH).fill(NaN);
  const put = (field: VectorField, values: ArrayLike<number>): void => {
    const f = VECTOR_FIELDS[field];
    for (let i = 0; i < f.length; i++) v[f.offset + i] = values[i];
  };
  const m = entry.meta;
  if (m.season !== undefined) put('season', [m.season]);
  const cz = climateIndex(m.climatezone);
  if (cz >= 0) put('climatezone', [cz]);
  if (m.era5) put('era5', m.era5);
  const fractions = m.worldcoverFractions ?? (decoded?.worldcover ? fractionsOfMap(decoded.worldcover) : undefined);
  if (fractions) put('fractions', fractions);
  const lulc = m.lulc ?? (fractions ? argmax(fractions) : -1);
  if (lulc >= 0) put('lulc', [lulc]);

  let b43: number[] | undefined;
  if (entry.labels.ben43) b43 = entry.labels.ben43.map(ben43Index).filter((i) => i >= 0);
  else if (decoded?.reference) {
    const present = new Set<number>();
    for (let i = 0; i < decoded.reference.length; i++) {
      const k = ben43IndexOfClcCode(decoded.reference[i]);
      if (k >= 0) present.add(k);
    }
    b43 = [...present].sort((a, b) => a - b);
  }
  if (b43) {
    const hot = new Float32Array(BEN43_CLASSES.length);
    for (const i of b43) hot[i] = 1;
    put('ben43', hot);
  }
  let b19: number[] | undefined;
  if (entry.labels.ben19) b19 = entry.labels.ben19.map(ben19Index).filter((i) => i >= 0);
  else if (b43) b19 = b43.map((i) => BEN43_TO_BEN19_INDEX[i]).filter((i) => i >= 0);
  if (b19) {
    const hot = new Float32Array(BEN19_CLASSES.length);
    for (const i of b19) hot[i] = 1;
    put('ben19', hot);
  }
  return v;
}

/** Multi-label land cover from fractions: 1 where fraction >= threshold. */
export function landcoverLabels(fractions: ArrayLike<number>, threshold = LANDCOVER_THRESHOLD): Float32Array {
  const out = new Float32Array(WORLDCOVER_CLASS_COUNT);
  for (let i = 0; i < WORLDCOVER_CLASS_COUNT; i++) out[i] = fractions[i] >= threshold ? 1 : 0;
  return out;
}
