/**
 * The common index every layout reader produces: per patch, where its files are (per modality and band), its
 * metadata, its labels and its split. Readers only look at names, folders and small text files (CSV, JSON,
 * parquet); pixels are decoded later, by the cache builder.
 */
import type { DataProblem } from '../problems';
import type { S1Band, S2Band } from '../modalities';

export type LayoutName = 'ben-ge' | 'bigearthnet-v1' | 'bigearthnet-v2' | 'chips';
export type SplitName = 'train' | 'val' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test'];

/** One band of one raster file (`band` is 0-based inside a multi-band file; 0 for single-band files). */
export interface BandFile {
  path: string;
  band: number;
}

/** The raster sources of a patch. A modality is present only when all its bands are listed. */
export interface PatchFiles {
  s2?: Record<S2Band, BandFile>;
  s1?: Record<S1Band, BandFile>;
  dem?: BandFile;
  /** ESA WorldCover map (codes 10..100). */
  worldcover?: BandFile;
  /** CORINE reference map (BigEarthNet v2: CLC codes per pixel), used to derive 43/19-class labels. */
  reference?: BandFile;
}

/** The spatial sources a patch can have, in the order the cache stores them. */
export const SPATIAL_SOURCES = ['s2', 's1', 'dem', 'worldcover', 'reference'] as const;
export type SpatialSource = (typeof SPATIAL_SOURCES)[number];

export interface PatchMeta {
  /** Sentinel-1 partner patch name (ben-ge `patch_id_s1`, BigEarthNet S1 folder name). */
  s1Id?: string;
  timestampS2?: string;
  timestampS1?: string;
  /** Seasonal encoding in [0, 1] (ben-ge: 1 = summer solstice, 0 = winter solstice) at the S2 acquisition. */
  season?: number;
  /** Patch centre, WGS84 degrees (ben-ge meta); only a fallback for footprints. */
  lon?: number;
  lat?: number;
  /** Köppen–Geiger code in Beck et al. numbering (1..30); 0 = none (water). */
  climatezone?: number;
  /** ERA-5 variables in ERA5_VARIABLES order; NaN where a value is missing. */
  era5?: number[];
  /** WorldCover class fractions in WORLDCOVER_CLASSES order (from the fractions CSV). */
  worldcoverFractions?: number[];
  country?: string;
  /** Bounds a metadata file states ([minx, miny, maxx, maxy] in `epsg`), a footprint fallback (BigEarthNet JSON). */
  statedBounds?: { epsg: number; bounds: [number, number, number, number] };
  /** Dominant WorldCover class index when a label table states it (chips labelled with a WorldCover class). */
  lulc?: number;
  /** Raw label of a chip from a labels CSV (file,label). */
  chipLabel?: string;
}

export interface PatchLabels {
  /** BigEarthNet 43-class names. */
  ben43?: string[];
  /** BigEarthNet 19-class names. */
  ben19?: string[];
}

export interface PatchEntry {
  id: string;
  files: PatchFiles;
  meta: PatchMeta;
  labels: PatchLabels;
  split?: SplitName;
  /** Extra files whose change must invalidate cached values of this patch (e.g. a BigEarthNet labels JSON). */
  sidecars?: string[];
}

export interface DatasetIndex {
  root: string;
  layout: LayoutName;
  /** Dataset name (ben-ge: the `<name>` prefix of its CSV files; otherwise the folder name). */
  name: string;
  patches: PatchEntry[];
  /** Where the splits came from. */
  splitSource: 'csv' | 'metadata' | 'none';
  /** Dataset-level text files (CSV, parquet) whose change invalidates the cache. */
  tables: string[];
  /** Files and rows that could not be used, and patches with incomplete modalities. */
  problems: DataProblem[];
  /** Chip datasets: the label vocabulary found in the labels CSV, in first-seen order (sorted). */
  chipClasses?: string[];
}

/** How many patches have each modality (vector modalities count when their value is known). */
export function modalityCounts(index: DatasetIndex): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (k: string): void => {
    counts[k] = (counts[k] ?? 0) + 1;
  };
  for (const p of index.patches) {
    for (const s of SPATIAL_SOURCES) if (p.files[s]) add(s);
    if (p.meta.climatezone !== undefined) add('climatezone');
    if (p.meta.season !== undefined) add('season');
    if (p.meta.era5 !== undefined) add('era5');
    if (p.meta.worldcoverFractions !== undefined) add('worldcover_fractions');
    if (p.labels.ben43 !== undefined) add('ben43');
    if (p.labels.ben19 !== undefined) add('ben19');
  }
  return counts;
}
