/**
 * `PatchDataset`: the data layer's public face for training, evaluation and inference.
 *
 *   const ds = await PatchDataset.open(dir, { cacheDir, seed, onProgress });
 *   const train = ds.indices({ split: 'train', require: ['s2', 's1', 'lulc'] });
 *   const batch = ds.getBatch(train.slice(0, 32), { modalities: ['s2', 's1'], targets: ['lulc'], augment: true, rng });
 *
 * Opening detects the layout, reads the index, builds or refreshes the packed cache (decoding each GeoTIFF once),
 * loads it into memory and computes DEM / ERA-5 statistics on the training split (or takes them from a run).
 * `getBatch` then only reads typed arrays: one Float32Array per input modality, NHWC (the `Batch` of modalities.ts).
 */
import { join } from 'node:path';
import {
  ERA5_VARIABLES, IGNORE_INDEX, KOPPEN_CLASSES, MODALITIES, PATCH_SIZE, S1_BANDS, S2_BANDS, TARGETS, WORLDCOVER_CLASS_COUNT,
} from './modalities';
import type { Batch, ModalityId, TargetId } from './modalities';
import { DEFAULT_AUGMENT, emptySampling, identityAugmentation, sampleAugmentation, samplingOf, type AugmentOptions, type PatchAugmentation, type Sampling } from './augment';
import { writeDem, writeMask, writeOneHot, writeS1, writeS2, type Affine } from './assemble';
import { buildCache, defaultCacheDir, PackedCache, S1_STORE_SCALE, WORLDCOVER_STORE_IGNORE, type BuildReport, type CacheProgress } from './cache/packed-cache';
import { patchFootprint, type Footprint } from './georef';
import { readDatasetIndex } from './layouts/detect';
import type { DatasetIndex, LayoutName, SplitName } from './layouts/types';
import { identityStats, parseNormalisationStats, RunningStats, S1_DB_MAX, S1_DB_MIN, S2_SCALE, type NormalisationStats } from './normalise';
import type { DataProblem } from './problems';
import type { Rng } from './rng';
import { labelFraction, resolveSplits, type LabelFractionResult, type SplitFractions } from './splits';
import { LANDCOVER_THRESHOLD, VECTOR_FIELDS, VECTOR_LENGTH } from './targets';

export interface OpenOptions {
  /** Folder for the packed cache (e.g. inside the workspace); default: a per-dataset folder under the OS temp. */
  cacheDir?: string;
  /** Force a layout instead of detecting it. */
  layout?: LayoutName;
  /** Seed for splits of datasets that have none (default 0). */
  seed?: number | string;
  splitFractions?: SplitFractions;
  /** Statistics from a run (inference, fine-tuning): used as they are instead of computing them. */
  normalisation?: NormalisationStats;
  onProgress?: (p: CacheProgress) => void;
  /** Ignore any existing cache. */
  rebuild?: boolean;
  /** Above this many bytes of images the cache streams records from disk instead (see packed-cache.ts). */
  maxResidentBytes?: number;
}

export interface BatchOptions {
  modalities: readonly ModalityId[];
  targets?: readonly TargetId[];
  /** Augment (true = defaults of augment.ts); needs `rng`. Geometry is shared by all spatial inputs and masks. */
  augment?: boolean | AugmentOptions;
  rng?: Rng;
  /** Fraction threshold of the `landcover` multi-label target (default 0.1, see targets.ts). */
  landcoverThreshold?: number;
  /**
   * A previous batch whose arrays may be overwritten (same batch size and modalities): saves allocating and
   * page-faulting ~25 MB per batch, which otherwise costs as much as the assembly itself. Only pass a batch
   * whose data has already been consumed (e.g. copied into tensors).
   */
  into?: Batch;
}

export type DataKey = ModalityId | TargetId;

/** What training code needs from a dataset; `PatchDataset` implements it. */
export interface PatchSource {
  readonly size: number;
  readonly ids: readonly string[];
  readonly normalisation: NormalisationStats;
  has(index: number, key: DataKey): boolean;
  indices(options?: { split?: SplitName; require?: readonly DataKey[] }): number[];
  getBatch(indices: readonly number[], options: BatchOptions): Batch;
}

const PIXELS = PATCH_SIZE * PATCH_SIZE;
const IDENTITY_SAMPLING = samplingOf(identityAugmentation(PATCH_SIZE), PATCH_SIZE);
export const SPATIAL_INPUTS = ['s2', 's1', 'dem', 'worldcover'] as const;
export type SpatialInput = (typeof SPATIAL_INPUTS)[number];

/** Where batch arrays come from (plain memory by default; shared memory for the parallel batcher). */
export interface BatchAllocator {
  float32(length: number): Float32Array;
  int32(length: number): Int32Array;
  /** Whether an array handed back through `into` can be reused by this allocator. */
  accepts(array: Float32Array | Int32Array): boolean;
}

const DEFAULT_ALLOCATOR: BatchAllocator = {
  float32: (n) => new Float32Array(n),
  int32: (n) => new Int32Array(n),
  accepts: () => true,
};

/** A batch whose arrays exist and whose augmentations are drawn, before the image kernels run. */
export interface BatchPlan {
  indices: number[];
  batch: Batch;
  spatial: SpatialInput[];
  outs: Partial<Record<SpatialInput, Float32Array>>;
  mask: Int32Array | null;
  augmentations: (PatchAugmentation | null)[];
  s1: Affine;
  dem: Affine;
}

function isNaNAt(v: Float32Array, offset: number): boolean {
  return v[offset] !== v[offset];
}

export class PatchDataset implements PatchSource {
  readonly size: number;
  readonly ids: readonly string[];
  readonly splits: Record<SplitName, number[]>;
  private stats: NormalisationStats;
  private readonly vectors: Float32Array;
  private readonly splitOf: (SplitName | undefined)[];
  private readonly sampling = emptySampling(PATCH_SIZE);

  private constructor(readonly index: DatasetIndex, readonly cache: PackedCache, readonly buildReport: BuildReport, options: OpenOptions) {
    this.size = index.patches.length;
    this.ids = index.patches.map((p) => p.id);
    this.vectors = cache.vectors();
    this.splits = resolveSplits(this.ids, index.patches.map((p) => p.split), options.seed ?? 0, options.splitFractions);
    this.splitOf = new Array<SplitName | undefined>(this.size);
    for (const s of ['train', 'val', 'test'] as const) for (const i of this.splits[s]) this.splitOf[i] = s;
    this.stats = options.normalisation ? parseNormalisationStats(options.normalisation) : this.computeNormalisation();
  }

  /** Opens a dataset folder (any supported layout). */
  static async open(dir: string, options: OpenOptions = {}): Promise<PatchDataset> {
    const index = await readDatasetIndex(dir, { layout: options.layout });
    return PatchDataset.fromIndex(index, options);
  }

  /** Opens from an index already read (e.g. by `readDatasetIndex`). */
  static async fromIndex(index: DatasetIndex, options: OpenOptions = {}): Promise<PatchDataset> {
    const cacheDir = options.cacheDir ?? defaultCacheDir(index.root);
    const report = await buildCache(index, cacheDir, { onProgress: options.onProgress, rebuild: options.rebuild });
    const cache = PackedCache.load(cacheDir, { onProgress: options.onProgress, maxResidentBytes: options.maxResidentBytes });
    return new PatchDataset(index, cache, report, options);
  }

  get layout(): LayoutName {
    return this.index.layout;
  }

  /** Index problems (files, rows) and decoding problems (per patch), each naming its file and reason. */
  get problems(): DataProblem[] {
    return [...this.index.problems, ...this.buildReport.problems];
  }

  get normalisation(): NormalisationStats {
    return this.stats;
  }

  /** Releases the cache files (only a streaming cache holds any). */
  close(): void {
    this.cache.close();
  }

  /** Replace the statistics (e.g. by those stored with a checkpoint). */
  setNormalisation(stats: NormalisationStats): void {
    this.stats = parseNormalisationStats(stats);
  }

  split(i: number): SplitName | undefined {
    return this.splitOf[i];
  }

  /** DEM and ERA-5 statistics over the training split (all patches when the split is empty). */
  computeNormalisation(): NormalisationStats {
    const chosen = this.splits.train.length ? this.splits.train : [...Array(this.size).keys()];
    const dem = new RunningStats();
    const era = ERA5_VARIABLES.map(() => new RunningStats());
    for (const i of chosen) {
      if (this.cache.has('dem', i)) dem.addAll(this.cache.record('dem', i));
      const base = i * VECTOR_LENGTH + VECTOR_FIELDS.era5.offset;
      era.forEach((s, k) => s.add(this.vectors[base + k]));
    }
    const e = era.map((s) => s.result());
    return {
      version: 1,
      dem: dem.n ? dem.result() : identityStats().dem,
      era5: { mean: e.map((x) => x.mean), std: e.map((x) => x.std), variables: [...ERA5_VARIABLES] },
      source: { split: this.splits.train.length ? 'train' : 'all', patches: chosen.length },
    };
  }

  /** Whether patch `i` has input modality or target `key`. */
  has(i: number, key: DataKey): boolean {
    const v = this.vectors;
    const at = (f: keyof typeof VECTOR_FIELDS): number => i * VECTOR_LENGTH + VECTOR_FIELDS[f].offset;
    switch (key) {
      case 's2':
      case 's1':
      case 'dem':
      case 'worldcover':
        return this.cache.has(key, i);
      case 'climatezone':
        return !isNaNAt(v, at('climatezone'));
      case 'season':
        return !isNaNAt(v, at('season'));
      case 'era5':
        for (let k = 0; k < ERA5_VARIABLES.length; k++) if (!isNaNAt(v, at('era5') + k)) return true;
        return false;
      case 'lulc':
        return !isNaNAt(v, at('lulc'));
      case 'landcover':
        return !isNaNAt(v, at('fractions'));
      case 'ben19':
        return !isNaNAt(v, at('ben19'));
      case 'ben43':
        return !isNaNAt(v, at('ben43'));
      default:
        return false;
    }
  }

  /** Patch indices, optionally of one split and having all of `require`. Ascending. */
  indices(options: { split?: SplitName; require?: readonly DataKey[] } = {}): number[] {
    const base = options.split ? this.splits[options.split] : [...Array(this.size).keys()];
    const req = options.require ?? [];
    return base.filter((i) => req.every((k) => this.has(i, k))).sort((a, b) => a - b);
  }

  /** Class indices of patch `i` for a classification target (empty when unknown), for stratification. */
  classesOf(i: number, target: TargetId, landcoverThreshold = LANDCOVER_THRESHOLD): number[] {
    const v = this.vectors;
    const at = (f: keyof typeof VECTOR_FIELDS): number => i * VECTOR_LENGTH + VECTOR_FIELDS[f].offset;
    const hot = (f: 'ben19' | 'ben43'): number[] => {
      if (isNaNAt(v, at(f))) return [];
      const out: number[] = [];
      for (let k = 0; k < VECTOR_FIELDS[f].length; k++) if (v[at(f) + k] > 0.5) out.push(k);
      return out;
    };
    switch (target) {
      case 'lulc':
      case 'worldcover':
        return isNaNAt(v, at('lulc')) ? [] : [v[at('lulc')]];
      case 'climatezone':
        return isNaNAt(v, at('climatezone')) ? [] : [v[at('climatezone')]];
      case 'landcover': {
        if (isNaNAt(v, at('fractions'))) return [];
        const out: number[] = [];
        for (let k = 0; k < WORLDCOVER_CLASS_COUNT; k++) if (v[at('fractions') + k] >= landcoverThreshold) out.push(k);
        return out;
      }
      case 'ben19':
      case 'ben43':
        return hot(target);
      case 'season':
        return isNaNAt(v, at('season')) ? [] : [0];
      default:
        return [];
    }
  }

  /**
   * A class-stratified fraction `f` of the labelled training patches for `target` (seeded); the remaining
   * training patches are returned as `unlabelled` (for self-supervised pre-training).
   */
  labelFraction(f: number, seed: number | string, target: TargetId = 'lulc', require: readonly DataKey[] = []): LabelFractionResult {
    const train = this.indices({ split: 'train', require });
    return labelFraction(train.map((i) => ({ index: i, classes: this.classesOf(i, target) })), f, seed);
  }

  /** The patch footprint in its own CRS and WGS84 (from its rasters; metadata only as a fallback). */
  footprint(i: number): Footprint | null {
    return patchFootprint(this.cache.header.patches[i].grid, this.index.patches[i].meta);
  }

  /**
   * Normalisation of a spatial input as one affine map on stored values (see packed-cache.ts for the stored
   * units), with the S2 jitter folded in: S2 v = gain * DN / 10000 + offset; S1 v = (dB + 25) / 25;
   * DEM v = (h - mean) / std.
   */
  affineOf(m: 's2' | 's1' | 'dem', t: PatchAugmentation | null): Affine {
    if (m === 's2') return { scale: S2_SCALE * (t ? t.gain : 1), shift: t ? t.offset : 0 };
    if (m === 's1') {
      const span = S1_DB_MAX - S1_DB_MIN;
      return { scale: 1 / (S1_STORE_SCALE * span), shift: -S1_DB_MIN / span };
    }
    const { mean, std } = this.stats.dem;
    return { scale: 1 / std, shift: -mean / std };
  }

  /**
   * First half of a batch: validation, output arrays (from `alloc`, or reused from `options.into`) and the
   * augmentation of every patch, drawn in patch order from `options.rng` (so any way of running the kernels gives
   * the same batch). Used by `getBatch` and by `ParallelBatcher`.
   */
  planBatch(indices: readonly number[], options: BatchOptions, alloc: BatchAllocator = DEFAULT_ALLOCATOR): BatchPlan {
    const n = indices.length;
    const mods = options.modalities;
    const targets = options.targets ?? [];
    for (const i of indices) if (!(Number.isInteger(i) && i >= 0 && i < this.size)) throw new RangeError(`patch index ${i} out of range 0..${this.size - 1}`);
    for (const m of mods) if (!(m in MODALITIES)) throw new Error(`unknown modality '${m}'`);
    for (const t of targets) if (!(t in TARGETS)) throw new Error(`unknown target '${t}'`);
    const augment = options.augment ? { ...DEFAULT_AUGMENT, ...(options.augment === true ? {} : options.augment) } : null;
    if (augment && !options.rng) throw new Error('getBatch: augment needs an rng (every random choice comes from a seed)');
    // Missing data is an error, not silent zeros: name the patch and how to select complete ones. Exceptions:
    // class targets use IGNORE_INDEX when unknown, and the climate-zone input is all zeros for a patch without a
    // zone (ben-ge: patches over water), which is what it means.
    const require = [...mods.filter((m) => m !== 'climatezone'), ...targets.filter((t) => !(TARGETS[t].kind === 'class'))];
    for (const i of indices) {
      for (const k of require) {
        if (!this.has(i, k)) throw new Error(`patch ${this.ids[i]} has no ${k}; select patches with indices({ require: [${require.map((x) => `'${x}'`).join(', ')}] })`);
      }
    }

    const batch: Batch = { size: n, ids: indices.map((i) => this.ids[i]), inputs: {}, targets: {} };
    const spatial = mods.filter((m): m is SpatialInput => (SPATIAL_INPUTS as readonly string[]).includes(m));
    const outs: Partial<Record<SpatialInput, Float32Array>> = {};
    for (const m of spatial) {
      const c = MODALITIES[m].channels;
      const old = options.into?.inputs[m]?.data;
      if (old && old.length === n * PIXELS * c && alloc.accepts(old)) {
        if (m === 'worldcover') old.fill(0); // one-hot: only the hot entries are written
        outs[m] = old;
      } else outs[m] = alloc.float32(n * PIXELS * c);
      batch.inputs[m] = { data: outs[m]!, shape: [n, PATCH_SIZE, PATCH_SIZE, c] };
    }
    const oldMask = options.into?.targets.worldcover;
    const mask = targets.includes('worldcover')
      ? oldMask instanceof Int32Array && oldMask.length === n * PIXELS && alloc.accepts(oldMask) ? oldMask : alloc.int32(n * PIXELS)
      : null;
    if (mask) batch.targets.worldcover = mask;
    const augmentations = indices.map(() => (augment ? sampleAugmentation(options.rng!, PATCH_SIZE, augment) : null));
    return { indices: [...indices], batch, spatial, outs, mask, augmentations, s1: this.affineOf('s1', null), dem: this.affineOf('dem', null) };
  }

  /** Runs the spatial kernels of patches [from, to) of a plan on this thread. */
  fillSpatial(plan: BatchPlan, from = 0, to = plan.indices.length): void {
    for (let b = from; b < to; b++) {
      const i = plan.indices[b];
      const t = plan.augmentations[b];
      // Without augmentation the identity tables still go through the unrolled gather loops (faster than a flat
      // loop in V8, measured).
      const s: Sampling = t ? samplingOf(t, PATCH_SIZE, this.sampling) : IDENTITY_SAMPLING;
      for (const m of plan.spatial) {
        const out = plan.outs[m]!;
        const { array, base } = this.cache.locate(m, i);
        if (m === 'worldcover') {
          writeOneHot(array as Uint8Array, base, WORLDCOVER_CLASS_COUNT, PATCH_SIZE, s, WORLDCOVER_STORE_IGNORE, out, b * PIXELS * WORLDCOVER_CLASS_COUNT);
        } else if (m === 's2') {
          const f = this.affineOf('s2', t);
          writeS2(array as Uint16Array, base, PATCH_SIZE, s, f.scale, f.shift, out, b * PIXELS * S2_BANDS.length);
        } else if (m === 's1') {
          writeS1(array as Int16Array, base, PATCH_SIZE, s, plan.s1.scale, plan.s1.shift, out, b * PIXELS * S1_BANDS.length);
        } else {
          writeDem(array as Float32Array, base, PATCH_SIZE, s, plan.dem.scale, plan.dem.shift, out, b * PIXELS);
        }
      }
      if (plan.mask) {
        const { array, base } = this.cache.locate('worldcover', i);
        writeMask(array as Uint8Array, base, PATCH_SIZE, s, WORLDCOVER_STORE_IGNORE, IGNORE_INDEX, plan.mask, b * PIXELS);
      }
    }
  }

  /**
   * A batch: one Float32Array per input modality (NHWC spatial, [n, c] vectors) and one array per target (see
   * `Batch` in modalities.ts), normalised, augmented when asked (one geometry per patch for all its spatial
   * inputs and its mask; jitter on S2 only).
   */
  getBatch(indices: readonly number[], options: BatchOptions): Batch {
    const plan = this.planBatch(indices, options);
    this.fillSpatial(plan);
    return this.finishBatch(plan, options);
  }

  /** Second half of a batch: vector inputs and patch-level targets (cheap; always on the calling thread). */
  finishBatch(plan: BatchPlan, options: BatchOptions): Batch {
    const { batch, indices } = plan;
    const n = indices.length;
    const mods = options.modalities;
    const targets = options.targets ?? [];
    // Vector inputs.
    const v = this.vectors;
    for (const m of mods) {
      if (m === 'climatezone') {
        const data = new Float32Array(n * KOPPEN_CLASSES.length);
        indices.forEach((i, b) => {
          const z = v[i * VECTOR_LENGTH + VECTOR_FIELDS.climatezone.offset];
          if (z === z) data[b * KOPPEN_CLASSES.length + z] = 1;
        });
        batch.inputs.climatezone = { data, shape: [n, KOPPEN_CLASSES.length] };
      } else if (m === 'season') {
        const data = new Float32Array(n);
        indices.forEach((i, b) => {
          data[b] = v[i * VECTOR_LENGTH + VECTOR_FIELDS.season.offset];
        });
        batch.inputs.season = { data, shape: [n, 1] };
      } else if (m === 'era5') {
        const k = ERA5_VARIABLES.length;
        const data = new Float32Array(n * k);
        const { mean, std } = this.stats.era5;
        indices.forEach((i, b) => {
          for (let j = 0; j < k; j++) {
            const x = v[i * VECTOR_LENGTH + VECTOR_FIELDS.era5.offset + j];
            // A missing variable becomes the training mean (0 after standardisation).
            data[b * k + j] = x === x ? (x - mean[j]) / std[j] : 0;
          }
        });
        batch.inputs.era5 = { data, shape: [n, k] };
      }
    }

    // Patch-level targets.
    const threshold = options.landcoverThreshold ?? LANDCOVER_THRESHOLD;
    for (const t of targets) {
      if (t === 'worldcover') continue;
      if (t === 'lulc' || t === 'climatezone') {
        const data = new Int32Array(n);
        const off = VECTOR_FIELDS[t === 'lulc' ? 'lulc' : 'climatezone'].offset;
        indices.forEach((i, b) => {
          const x = v[i * VECTOR_LENGTH + off];
          data[b] = x === x ? x : IGNORE_INDEX;
        });
        batch.targets[t] = data;
      } else if (t === 'season') {
        const data = new Float32Array(n);
        indices.forEach((i, b) => {
          data[b] = v[i * VECTOR_LENGTH + VECTOR_FIELDS.season.offset];
        });
        batch.targets.season = data;
      } else if (t === 'landcover') {
        const data = new Float32Array(n * WORLDCOVER_CLASS_COUNT);
        indices.forEach((i, b) => {
          for (let k = 0; k < WORLDCOVER_CLASS_COUNT; k++) {
            data[b * WORLDCOVER_CLASS_COUNT + k] = v[i * VECTOR_LENGTH + VECTOR_FIELDS.fractions.offset + k] >= threshold ? 1 : 0;
          }
        });
        batch.targets.landcover = data;
      } else {
        const f = VECTOR_FIELDS[t];
        const data = new Float32Array(n * f.length);
        indices.forEach((i, b) => {
          for (let k = 0; k < f.length; k++) data[b * f.length + k] = v[i * VECTOR_LENGTH + f.offset + k];
        });
        batch.targets[t] = data;
      }
    }
    return batch;
  }
}

/** Where `PatchDataset.open` keeps the cache for a dataset inside a workspace folder. */
export function workspaceCacheDir(workspace: string, datasetId: string): string {
  return join(workspace, 'cache', datasetId);
}
