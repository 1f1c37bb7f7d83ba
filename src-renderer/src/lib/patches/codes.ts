/**
 * Codes of the datasets.index columns, as the contract (src-main/api/datasets.ts) defines them. Repeated here as
 * plain constants because the contract's module pulls in zod, which the renderer bundle does without; a unit test
 * (test/renderer/patches/codes.test.ts) keeps the two in step.
 */

/** Bits of the index's `modalities` column. */
export const MODALITY_BITS = { s2: 1, s1: 2, dem: 4, worldcover: 8, era5: 16, climatezone: 32, season: 64, labels: 128 } as const;
export type ModalityKey = keyof typeof MODALITY_BITS;

/** Codes of the index's `split` column. */
export const SPLIT_CODES = { train: 0, val: 1, test: 2, none: 255 } as const;
export type SplitName = keyof typeof SPLIT_CODES;
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test', 'none'];

/** The "unknown" value of the uint8 code columns (lulc, climatezone, crs_index, chip_label). */
export const UNKNOWN_CODE = 255;

/** Modalities the filter offers, in the order the panel lists them, with their names for people. */
export const MODALITY_LABELS: ReadonlyArray<{ key: ModalityKey; label: string }> = [
  { key: 's2', label: 'Sentinel-2' },
  { key: 's1', label: 'Sentinel-1' },
  { key: 'dem', label: 'DEM' },
  { key: 'worldcover', label: 'WorldCover' },
  { key: 'era5', label: 'ERA-5' },
  { key: 'climatezone', label: 'Climate zone' },
  { key: 'season', label: 'Season' },
  { key: 'labels', label: 'Labels' },
];
