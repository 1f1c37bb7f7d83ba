import { z } from 'zod';
import { method } from './define';
import { PACKED_DTYPES } from './packed-array';

/**
 * Datasets for the map workspace: open a folder (or the embedded synthetic sample), get a compact per-patch index
 * to draw 100,000 patches, footprints for what is in view, and one patch's details for the inspector.
 *
 * Per-patch columns travel as `Packed` typed arrays (see packed-array.ts; `decodePacked` in the renderer). Patch
 * `i` of every column is the patch `ids[i]`; the order is fixed for a dataset's `revision`.
 */

export const LayoutName = z.enum(['ben-ge', 'bigearthnet-v1', 'bigearthnet-v2', 'chips']);
export type LayoutName = z.infer<typeof LayoutName>;

/** [west, south, east, north] in WGS84 degrees. */
export const BBoxWgs84 = z.tuple([z.number(), z.number(), z.number(), z.number()]);
/** [minx, miny, maxx, maxy] in a projected or geographic CRS. */
export const Extent = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export const Point = z.tuple([z.number(), z.number()]);

export const PackedArray = z.object({
  dtype: z.enum(PACKED_DTYPES),
  length: z.number().int().nonnegative(),
  base64: z.string(),
});
export type PackedArray = z.infer<typeof PackedArray>;

export const DataProblem = z.object({
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  reason: z.string(),
  patchId: z.string().optional(),
  modality: z.string().optional(),
});
export type DataProblem = z.infer<typeof DataProblem>;

/** A WorldCover class: `index` is what the index's `lulc` column holds, `code` the map value (10..100). */
export const LandCoverClass = z.object({ index: z.number().int(), code: z.number().int(), name: z.string(), color: z.string() });
/** A Köppen–Geiger zone in Beck et al. (2018) numbering (1..30), with that map's legend colour. */
export const ClimateZoneClass = z.object({ code: z.number().int(), name: z.string(), description: z.string(), color: z.string() });

export const SplitCounts = z.object({
  train: z.number().int(),
  val: z.number().int(),
  test: z.number().int(),
  /** Patches in no split (a dataset with split files that do not list them). */
  none: z.number().int(),
});

export const DatasetSummary = z.object({
  /** Stable id of the folder (a hash of its real path); the key of every other datasets.* and imagery.* call. */
  id: z.string(),
  /** Real path of the folder. */
  path: z.string(),
  name: z.string(),
  layout: LayoutName,
  /** True for the embedded synthetic sample. */
  sample: z.boolean(),
  patches: z.number().int(),
  /** Patches having each modality (s2, s1, dem, worldcover, reference, era5, climatezone, season, ...). */
  modalities: z.record(z.string(), z.number().int()),
  /** EPSG codes of the patches' own CRSs (4326 for patches placed from metadata lon/lat only). */
  crs: z.array(z.number().int()),
  /** Extent of all footprints; null when no patch could be placed. */
  bbox_wgs84: BBoxWgs84.nullable(),
  splits: SplitCounts,
  /** Where splits come from; 'seeded' = no split in the dataset, assigned by a hash of the id (seed 0, 80/10/10). */
  split_source: z.enum(['csv', 'metadata', 'seeded']),
  /** Patches placed by their rasters' georeferencing, by metadata (lon/lat, stated corners), or not at all. */
  georeference: z.object({ raster: z.number().int(), metadata: z.number().int(), none: z.number().int() }),
  classes: z.object({
    lulc: z.array(LandCoverClass),
    climatezone: z.array(ClimateZoneClass),
    /** BigEarthNet 19-class names (index = bit of the index's `ben19` column), when the dataset has them. */
    ben19: z.array(z.string()).optional(),
    /** Chip datasets: the label vocabulary of the labels CSV (index = the index's `chip_label` value). */
    chip: z.array(z.string()).optional(),
  }),
  /** Files and rows that could not be used (counts, and the first 100). */
  problems: z.object({ errors: z.number().int(), warnings: z.number().int(), items: z.array(DataProblem) }),
  /** Changes whenever the dataset is re-indexed (index column order may change with it). */
  revision: z.string(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

/** Bits of the index's `modalities` column. */
export const MODALITY_BITS = { s2: 1, s1: 2, dem: 4, worldcover: 8, era5: 16, climatezone: 32, season: 64, labels: 128 } as const;
/** Codes of the index's `split` column. */
export const SPLIT_CODES = { train: 0, val: 1, test: 2, none: 255 } as const;
/** The "unknown" value of the uint8 code columns (lulc, climatezone, crs). */
export const UNKNOWN_CODE = 255;

export const DatasetIndex = z.object({
  datasetId: z.string(),
  revision: z.string(),
  count: z.number().int(),
  /** Patch ids; omitted when the request said `ids: false`. */
  ids: z.array(z.string()).optional(),
  /** float32: patch centres (from the footprint; metadata lon/lat as a fallback), NaN where unknown. */
  lon: PackedArray,
  lat: PackedArray,
  /** uint8: SPLIT_CODES. */
  split: PackedArray,
  /** uint8: dominant WorldCover class index (classes.lulc), 255 unknown. */
  lulc: PackedArray,
  /** float32: season in [0, 1] (1 = summer solstice), NaN unknown. */
  season: PackedArray,
  /** uint8: Köppen–Geiger code 1..30, 0 = none (water), 255 unknown. */
  climatezone: PackedArray,
  /** uint8: MODALITY_BITS. */
  modalities: PackedArray,
  /** uint8: index into `crs` of the patch's own CRS, 255 = not placed. */
  crs_index: PackedArray,
  crs: z.array(z.number().int()),
  /** uint32: bit k set = BigEarthNet 19-class label k (classes.ben19); only for datasets with such labels. */
  ben19: PackedArray.optional(),
  /** uint8: chip label index (classes.chip), 255 unknown; only for chip datasets with a labels CSV. */
  chip_label: PackedArray.optional(),
});
export type DatasetIndex = z.infer<typeof DatasetIndex>;

export const Footprints = z.object({
  datasetId: z.string(),
  revision: z.string(),
  /** Patches whose footprint meets the bbox (all placed patches without a bbox). */
  total: z.number().int(),
  /** True when `total` exceeded the limit and only the first `limit` (in index order) are returned. */
  truncated: z.boolean(),
  /** uint32: positions in the index columns. */
  indices: PackedArray,
  /** float32: 8 values per patch, the corners upper-left, upper-right, lower-right, lower-left as lon, lat. */
  corners_wgs84: PackedArray,
});
export type Footprints = z.infer<typeof Footprints>;

export const PatchFootprint = z.object({
  crs_epsg: z.number().int(),
  /** proj4 definition of crs_epsg, for `proj4.defs('EPSG:<code>', proj4)` + `register(proj4)` in OpenLayers. */
  proj4: z.string(),
  /** Closed ring (5 points: UL, UR, LR, LL, UL) in the patch's CRS. */
  polygon: z.array(Point),
  /** [minx, miny, maxx, maxy] of the polygon in the patch's CRS. */
  extent: Extent,
  polygon_wgs84: z.array(Point),
  bbox_wgs84: BBoxWgs84,
  /** 'raster': from the GeoTIFF transform; 'metadata': from lon/lat or stated corners (approximate). */
  source: z.enum(['raster', 'metadata']),
});
export type PatchFootprint = z.infer<typeof PatchFootprint>;

export const PatchDetail = z.object({
  datasetId: z.string(),
  id: z.string(),
  /** Position in the index columns. */
  index: z.number().int(),
  s1_id: z.string().nullable(),
  /** Acquisition times as the dataset states them (ISO 8601 or the product's own form). */
  acquired: z.object({ s2: z.string().nullable(), s1: z.string().nullable() }),
  /** 0..1, 1 = summer solstice; and the meteorological season of the S2 (else S1) acquisition (hemisphere-aware). */
  season: z.number().nullable(),
  season_name: z.enum(['winter', 'spring', 'summer', 'autumn']).nullable(),
  climatezone: ClimateZoneClass.nullable(),
  era5: z.array(z.object({ name: z.string(), value: z.number().nullable(), unit: z.string() })).nullable(),
  split: z.enum(['train', 'val', 'test']).nullable(),
  labels: z.object({
    /** Dominant WorldCover class. */
    lulc: LandCoverClass.nullable(),
    /** WorldCover classes covering at least `landcover_threshold` of the patch (multi-label target). */
    landcover: z.array(LandCoverClass),
    landcover_threshold: z.number(),
    ben19: z.array(z.string()).optional(),
    ben43: z.array(z.string()).optional(),
    chip: z.string().optional(),
  }),
  worldcover_fractions: z.array(LandCoverClass.extend({ fraction: z.number() })).nullable(),
  modalities: z.array(z.string()),
  /** Source files per modality (for the inspector; all inside the dataset folder). */
  files: z.record(z.string(), z.array(z.string())),
  footprint: PatchFootprint.nullable(),
  centre_wgs84: Point.nullable(),
  problems: z.array(DataProblem),
});
export type PatchDetail = z.infer<typeof PatchDetail>;

export const RecentDataset = z.object({
  path: z.string(),
  exists: z.boolean(),
  /** The id when this folder is open now. */
  datasetId: z.string().nullable(),
});

export const SampleState = z.discriminatedUnion('state', [
  z.object({ state: z.literal('ready'), dataset: DatasetSummary }),
  /** Being generated by job `jobId` (progress: job.progress events); call datasets.sample again when it is done. */
  z.object({ state: z.literal('generating'), jobId: z.string(), path: z.string() }),
]);
export type SampleState = z.infer<typeof SampleState>;

const DatasetRef = z.object({ datasetId: z.string().min(1) });

export const datasetsMethods = {
  'datasets.open': method(
    z.object({
      path: z.string().min(1),
      /**
       * Register the folder first (add it to the recent datasets, which makes it readable). Without it the folder
       * must already be registered (a recent dataset, the workspace, or picked in a native dialog).
       */
      register: z.boolean().default(false),
      /** Index the folder again even if it is open (files changed on disk); the revision changes if they did. */
      refresh: z.boolean().default(false),
    }),
    DatasetSummary,
    'Open a dataset folder (any layout): index it, place its patches; progress as datasets.progress events.',
  ),
  'datasets.sample': method(
    z.object({ wait: z.boolean().default(false) }),
    SampleState,
    'The embedded synthetic ben-ge sample: opened if it exists, else generated in the workspace (a job).',
  ),
  'datasets.list': method(
    z.object({}),
    z.object({ open: z.array(DatasetSummary), recent: z.array(RecentDataset), sample_path: z.string() }),
    'Datasets open in this session and the recently opened folders.',
  ),
  'datasets.close': method(DatasetRef, z.object({ closed: z.boolean() }), 'Forget an open dataset (frees its index and caches).'),
  'datasets.index': method(
    DatasetRef.extend({ ids: z.boolean().default(true) }),
    DatasetIndex,
    'Compact per-patch columns for the map (centres, split, label, season, climate zone, modalities).',
  ),
  'datasets.footprints': method(
    DatasetRef.extend({
      /** Only patches whose footprint meets this [west, south, east, north]; all when omitted. */
      bbox: BBoxWgs84.optional(),
      limit: z.number().int().min(1).max(1_000_000).default(20_000),
    }),
    Footprints,
    'WGS84 footprint corners of the patches in a bbox (draw them when zoomed in).',
  ),
  'datasets.patch': method(
    DatasetRef.extend({ patchId: z.string().min(1) }),
    PatchDetail,
    "One patch's metadata, labels and footprint (own CRS with its proj4 definition, and WGS84).",
  ),
};

export const datasetsEvents = {
  /** Progress of opening (indexing) a dataset folder. */
  'datasets.progress': z.object({
    path: z.string(),
    phase: z.enum(['index', 'georeference', 'ready', 'failed']),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    message: z.string().optional(),
  }),
};
