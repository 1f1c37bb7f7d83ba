/**
 * The vocabulary shared by readers, the synthetic generator, models and the UI: which modalities exist, their band
 * order, their classes and colours. Band order is part of a checkpoint's identity (TorchGeo's most common
 * complaint is weights used with the wrong band order), so it is defined once, here.
 */

/** Every patch lives on the 10 m Sentinel-2 grid of BigEarthNet / ben-ge: 120 x 120 pixels, 1.2 km square. */
export const PATCH_SIZE = 120;
export const PIXEL_SIZE_M = 10;

export const S2_BANDS = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B11', 'B12'] as const;
export type S2Band = (typeof S2_BANDS)[number];
/** Native ground sampling distance of each S2 band in metres (20 m and 60 m bands are resampled to 10 m). */
export const S2_BAND_GSD: Record<S2Band, 10 | 20 | 60> = {
  B01: 60, B02: 10, B03: 10, B04: 10, B05: 20, B06: 20, B07: 20, B08: 10, B8A: 20, B09: 60, B11: 20, B12: 20,
};

export const S1_BANDS = ['VH', 'VV'] as const;
export type S1Band = (typeof S1_BANDS)[number];

export const ERA5_VARIABLES = [
  'atmpressure_level',
  'temperature_s2', 'temperature_s1',
  'wind-u_s2', 'wind-u_s1',
  'wind-v_s2', 'wind-v_s1',
  'relhumidity_s2', 'relhumidity_s1',
] as const;
export type Era5Variable = (typeof ERA5_VARIABLES)[number];

/** ESA WorldCover v100/v200 classes with their official map colours. */
export const WORLDCOVER_CLASSES = [
  { code: 10, name: 'Tree cover', color: '#006400' },
  { code: 20, name: 'Shrubland', color: '#ffbb22' },
  { code: 30, name: 'Grassland', color: '#ffff4c' },
  { code: 40, name: 'Cropland', color: '#f096ff' },
  { code: 50, name: 'Built-up', color: '#fa0000' },
  { code: 60, name: 'Bare / sparse vegetation', color: '#b4b4b4' },
  { code: 70, name: 'Snow and ice', color: '#f0f0f0' },
  { code: 80, name: 'Permanent water bodies', color: '#0064c8' },
  { code: 90, name: 'Herbaceous wetland', color: '#0096a0' },
  { code: 95, name: 'Mangroves', color: '#00cf75' },
  { code: 100, name: 'Moss and lichen', color: '#fae6a0' },
] as const;
export const WORLDCOVER_CLASS_COUNT = WORLDCOVER_CLASSES.length;
/** Index used in masks for pixels without a valid label (nodata); losses and metrics skip it. */
export const IGNORE_INDEX = -1;

export function worldCoverIndex(code: number): number {
  const i = WORLDCOVER_CLASSES.findIndex((c) => c.code === code);
  return i >= 0 ? i : IGNORE_INDEX;
}

/** Köppen–Geiger classes in the numbering of Beck et al. (2018), which ben-ge's `climatezone` column uses (1..30). */
export const KOPPEN_CLASSES = [
  'Af', 'Am', 'Aw', 'BWh', 'BWk', 'BSh', 'BSk', 'Csa', 'Csb', 'Csc', 'Cwa', 'Cwb', 'Cwc', 'Cfa', 'Cfb', 'Cfc',
  'Dsa', 'Dsb', 'Dsc', 'Dsd', 'Dwa', 'Dwb', 'Dwc', 'Dwd', 'Dfa', 'Dfb', 'Dfc', 'Dfd', 'ET', 'EF',
] as const;

/** Input modalities an analyst can fuse. Spatial ones are images on the patch grid; the others are per-patch. */
export const MODALITIES = {
  s2: { kind: 'spatial', channels: S2_BANDS.length, label: 'Sentinel-2 (12 bands)' },
  s1: { kind: 'spatial', channels: S1_BANDS.length, label: 'Sentinel-1 (VH, VV)' },
  dem: { kind: 'spatial', channels: 1, label: 'Copernicus DEM' },
  worldcover: { kind: 'spatial', channels: WORLDCOVER_CLASS_COUNT, label: 'ESA WorldCover (one-hot)' },
  climatezone: { kind: 'vector', channels: KOPPEN_CLASSES.length, label: 'Climate zone (one-hot)' },
  season: { kind: 'vector', channels: 1, label: 'Season' },
  era5: { kind: 'vector', channels: ERA5_VARIABLES.length, label: 'ERA-5 weather' },
} as const;
export type ModalityId = keyof typeof MODALITIES;
export const MODALITY_IDS = Object.keys(MODALITIES) as ModalityId[];

/**
 * Prediction targets. `lulc`: dominant WorldCover class (single label); `landcover`: WorldCover classes whose
 * fraction passes a threshold (multi-label); `worldcover`: per-pixel classes; `season`: regression in [0, 1];
 * `ben19`/`ben43`: BigEarthNet multi-labels.
 */
export const TARGETS = {
  lulc: { kind: 'class', classes: WORLDCOVER_CLASS_COUNT },
  landcover: { kind: 'multilabel', classes: WORLDCOVER_CLASS_COUNT },
  worldcover: { kind: 'mask', classes: WORLDCOVER_CLASS_COUNT },
  climatezone: { kind: 'class', classes: KOPPEN_CLASSES.length },
  season: { kind: 'scalar', classes: 1 },
  ben19: { kind: 'multilabel', classes: 19 },
  ben43: { kind: 'multilabel', classes: 43 },
} as const;
export type TargetId = keyof typeof TARGETS;

/**
 * A training batch, assembled from the packed cache in one allocation per modality. Spatial inputs are NHWC
 * (`[n, 120, 120, c]`), vector inputs `[n, c]`. Targets: `class` -> Int32Array [n]; `multilabel` -> Float32Array
 * [n, classes] of 0/1; `mask` -> Int32Array [n, 120, 120] with IGNORE_INDEX for nodata; `scalar` -> Float32Array [n].
 */
export interface Batch {
  size: number;
  ids: string[];
  inputs: Partial<Record<ModalityId, { data: Float32Array; shape: number[] }>>;
  targets: Partial<Record<TargetId, Float32Array | Int32Array>>;
}
