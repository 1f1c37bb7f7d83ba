import { UNKNOWN_CODE } from './codes';
import type { PatchColumns } from './columns';

/**
 * Which label a dataset's patches carry, for the "Label" colouring and the class filter: the dominant WorldCover
 * class (ben-ge), the 19-class BigEarthNet labels (multi-label: a patch has several), or a chip dataset's single
 * label. Datasets with none of them have only unknown labels (the lulc column, all 255).
 */
export type LabelScheme = 'lulc' | 'ben19' | 'chip';

export function labelScheme(cols: Pick<PatchColumns, 'lulc' | 'ben19' | 'chipLabel'>): LabelScheme {
  if (cols.lulc.some((v) => v !== UNKNOWN_CODE)) return 'lulc';
  if (cols.ben19 && cols.ben19.some((v) => v !== 0)) return 'ben19';
  if (cols.chipLabel) return 'chip';
  return 'lulc';
}

/** The lowest label bit set (0..31) or UNKNOWN_CODE without any: the label a multi-label patch is coloured by. */
export function firstLabel(bits: number): number {
  if (bits === 0) return UNKNOWN_CODE;
  return 31 - Math.clz32(bits & -bits);
}

/** A patch's label code under a scheme (multi-label: its first label). */
export function labelCodes(cols: Pick<PatchColumns, 'count' | 'lulc' | 'ben19' | 'chipLabel'>, scheme: LabelScheme): Uint8Array {
  if (scheme === 'lulc') return cols.lulc;
  if (scheme === 'chip' && cols.chipLabel) return cols.chipLabel;
  const out = new Uint8Array(cols.count).fill(UNKNOWN_CODE);
  if (scheme === 'ben19' && cols.ben19) for (let i = 0; i < cols.count; i++) out[i] = firstLabel(cols.ben19[i]);
  return out;
}

/** Patches having each label (multi-label counts every label of a patch), by label code. */
export function labelCounts(cols: Pick<PatchColumns, 'count' | 'lulc' | 'ben19' | 'chipLabel'>, scheme: LabelScheme): Map<number, number> {
  const counts = new Map<number, number>();
  if (scheme === 'ben19' && cols.ben19) {
    for (let i = 0; i < cols.count; i++) {
      let bits = cols.ben19[i];
      while (bits !== 0) {
        const k = firstLabel(bits);
        counts.set(k, (counts.get(k) ?? 0) + 1);
        bits &= bits - 1;
      }
    }
    return counts;
  }
  const codes = labelCodes(cols, scheme);
  for (let i = 0; i < cols.count; i++) if (codes[i] !== UNKNOWN_CODE) counts.set(codes[i], (counts.get(codes[i]) ?? 0) + 1);
  return counts;
}

/**
 * A qualitative palette for vocabularies without official colours (BigEarthNet's 19 classes, chip labels): distinct
 * hues first, then lighter and darker variants, so up to 20 classes stay apart.
 */
export const QUALITATIVE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
  '#1f3f6b', '#b35806', '#8c1d1d', '#2a7a73', '#2d6a27', '#a68a0a', '#6b3d64', '#d95f86', '#5c4033', '#6f6a66',
] as const;
