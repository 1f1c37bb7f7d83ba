import type { z } from 'zod';
import type { BackboneKind, ModalityName, SslMethod, TargetName, TaskKindName, TransferMode } from '../../../../src-main/api/training';
import { MODALITIES, MODALITY_IDS, TARGETS } from '../../../../src-main/core/data/modalities';

/**
 * What the training panels say about each choice. The ids are the contract's (type-checked against its enums);
 * channel counts and target shapes come from the shared vocabulary (core/data/modalities.ts, plain constants), so
 * the UI cannot drift from what the models layer builds.
 */

// Type-only: the renderer bundle does not carry zod.
export type Modality = z.infer<typeof ModalityName>;
export type Target = z.infer<typeof TargetName>;
export type TaskKind = z.infer<typeof TaskKindName>;
export type Backbone = z.infer<typeof BackboneKind>;
export type Transfer = z.infer<typeof TransferMode>;
export type Ssl = z.infer<typeof SslMethod>;

export interface ModalityChoice {
  id: Modality;
  label: string;
  /** One line: what this modality adds to a model. */
  hint: string;
  /** Spatial modalities are images on the patch grid (they get a backbone); vector ones are per-patch values. */
  spatial: boolean;
  channels: number;
}

const MODALITY_TEXT: Record<Modality, { label: string; hint: string }> = {
  s2: { label: 'Sentinel-2', hint: '12 optical bands: vegetation, water and built-up surfaces; the main signal for land cover' },
  s1: { label: 'Sentinel-1', hint: 'Radar VV/VH: sees through clouds, adds surface roughness, structure and moisture' },
  dem: { label: 'DEM', hint: 'Elevation: terrain separates valleys, slopes, mountains and flat wetlands' },
  worldcover: { label: 'WorldCover (input)', hint: 'The land-cover map as one-hot planes; an input, so no WorldCover-derived target' },
  climatezone: { label: 'Climate zone', hint: 'Köppen zone: regional context (the same crop looks different elsewhere)' },
  season: { label: 'Season', hint: 'Time of year: phenology of crops and deciduous trees' },
  era5: { label: 'ERA-5', hint: 'Weather at acquisition (temperature, wind, humidity): wet soils, snow, haze' },
};

/** In the models layer's canonical order (s2, s1, dem, worldcover, climatezone, season, era5). */
export const MODALITY_CHOICES: readonly ModalityChoice[] = MODALITY_IDS.map((id) => ({
  id,
  ...MODALITY_TEXT[id],
  spatial: MODALITIES[id].kind === 'spatial',
  channels: MODALITIES[id].channels,
}));

export function modalityChoice(id: Modality): ModalityChoice {
  return MODALITY_CHOICES.find((m) => m.id === id) as ModalityChoice;
}

/** Sorts modalities into the canonical order (the order the models layer stacks and names encoders in). */
export function canonicalModalities(list: readonly Modality[]): Modality[] {
  const chosen = new Set(list);
  return MODALITY_IDS.filter((m) => chosen.has(m));
}

export interface TargetChoice {
  id: Target;
  label: string;
  hint: string;
  /** The task kind the target's labels imply (a target has exactly one). */
  task: TaskKind;
  classes: number;
}

const TASK_OF_SHAPE: Record<(typeof TARGETS)[Target]['kind'], TaskKind> = {
  class: 'classification',
  multilabel: 'multilabel',
  mask: 'segmentation',
  scalar: 'regression',
};

const TARGET_TEXT: Record<Target, { label: string; hint: string }> = {
  lulc: { label: 'Land cover (dominant)', hint: 'The dominant WorldCover class of the patch' },
  landcover: { label: 'Land cover (multi-label)', hint: 'Every WorldCover class covering at least 10% of the patch' },
  worldcover: { label: 'WorldCover map', hint: 'A WorldCover class for every pixel (120 × 120)' },
  climatezone: { label: 'Climate zone', hint: 'The Köppen–Geiger zone of the patch' },
  season: { label: 'Season', hint: 'Time of year in [0, 1] (1 = summer solstice)' },
  ben19: { label: 'BigEarthNet 19', hint: 'BigEarthNet’s 19 land-cover labels (BigEarthNet folders only)' },
  ben43: { label: 'BigEarthNet 43', hint: 'BigEarthNet’s 43 CORINE labels (BigEarthNet folders only)' },
};

export const TARGET_CHOICES: readonly TargetChoice[] = (Object.keys(TARGETS) as Target[]).map((id) => ({
  id,
  ...TARGET_TEXT[id],
  task: TASK_OF_SHAPE[TARGETS[id].kind],
  classes: TARGETS[id].classes,
}));

export function targetChoice(id: Target): TargetChoice {
  return TARGET_CHOICES.find((t) => t.id === id) as TargetChoice;
}

export const TASK_LABELS: Record<TaskKind, string> = {
  classification: 'classification',
  multilabel: 'multi-label',
  segmentation: 'segmentation',
  regression: 'regression',
};

/**
 * Targets computed from an input modality: training on both hands the model its own labels. Mirrors the models
 * layer's TARGET_SOURCES (core/models/spec.ts), which refuses such a run.
 */
export const TARGET_SOURCE: Partial<Record<Target, Modality>> = {
  lulc: 'worldcover',
  landcover: 'worldcover',
  worldcover: 'worldcover',
  climatezone: 'climatezone',
  season: 'season',
};

/** What a dataset must hold for a target's labels (a DatasetSummary.modalities key). */
export const TARGET_NEEDS: Record<Target, string> = {
  lulc: 'worldcover',
  landcover: 'worldcover',
  worldcover: 'worldcover',
  climatezone: 'climatezone',
  season: 'season',
  ben19: 'labels',
  ben43: 'labels',
};

export const BACKBONE_CHOICES: ReadonlyArray<{ id: Backbone; label: string; hint: string }> = [
  { id: 'resnet18', label: 'ResNet-18', hint: 'Patch-level features (1/32 resolution); fast, for classification' },
  { id: 'unet', label: 'U-Net', hint: 'Encoder–decoder with per-pixel features; needed for segmentation' },
];

export const TRANSFER_CHOICES: ReadonlyArray<{ id: Transfer; label: string; hint: string }> = [
  { id: 'linear-probe', label: 'Linear probe', hint: 'Encoder fixed, only the heads learn: measures the features themselves' },
  { id: 'frozen', label: 'Frozen encoder', hint: 'Encoder fixed; heads, decoder and fusion layers learn' },
  { id: 'full', label: 'Fine-tune all', hint: 'Everything learns; the encoder at a lower learning rate' },
];

export const SSL_CHOICES: ReadonlyArray<{ id: Ssl; label: string; hint: string }> = [
  { id: 'contrastive-s1s2', label: 'S1 ↔ S2 contrastive', hint: 'One encoder per sensor; co-located S1 and S2 patches are the positive pair' },
  { id: 'simclr', label: 'SimCLR', hint: 'Two augmented views of one patch are the positive pair; one encoder' },
];

export const BACKBONE_WIDTHS = [4, 8, 16, 32, 64] as const;
