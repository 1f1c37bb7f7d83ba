/**
 * An open dataset as the map sees it: the data layer's index (files, metadata, labels, splits) plus where every
 * patch is, turned into columns (one typed array per attribute) so that 100,000 patches cost a few megabytes and
 * serialise without building 100,000 objects.
 */
import { createHash } from 'node:crypto';
import { MODALITY_BITS, SPLIT_CODES, UNKNOWN_CODE } from '../../api/datasets';
import type { DatasetIndex, PatchEntry, SplitName } from '../../core/data/layouts/types';
import { modalityCounts } from '../../core/data/layouts/types';
import { PATCH_SIZE, PIXEL_SIZE_M } from '../../core/data/modalities';
import type { DataProblem } from '../../core/data/problems';
import { resolveSplits } from '../../core/data/splits';
import { computeVectors, VECTOR_FIELDS } from '../../core/data/targets';
import { BEN19_CLASSES } from '../../core/data/bigearthnet-nomenclature';
import { gridCentre, placePatch, type Corners, type PatchGrid, type Placement } from './placement';
import { CLIMATE_ZONES, LAND_COVER_CLASSES } from './vocabulary';

const SPLIT_CODE: Record<SplitName | 'none', number> = SPLIT_CODES;
const MODALITY_BIT = MODALITY_BITS;
const UNKNOWN = UNKNOWN_CODE;
/** Most problems listed in a summary (the counts cover all). */
const MAX_LISTED_PROBLEMS = 100;

export interface DatasetColumns {
  lon: Float32Array;
  lat: Float32Array;
  split: Uint8Array;
  lulc: Uint8Array;
  season: Float32Array;
  climatezone: Uint8Array;
  modalities: Uint8Array;
  crsIndex: Uint8Array;
  ben19?: Uint32Array;
  chipLabel?: Uint8Array;
}

export interface OpenDatasetInit {
  id: string;
  path: string;
  sample: boolean;
  index: DatasetIndex;
  grids: (PatchGrid | null)[];
  /** Problems met while placing patches (unreadable headers). */
  placementProblems: DataProblem[];
}

function hasAny(v: Float32Array, offset: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (v[offset + k] === v[offset + k]) return true;
  return false;
}

export class OpenDataset {
  readonly id: string;
  readonly path: string;
  readonly sample: boolean;
  readonly index: DatasetIndex;
  readonly grids: (PatchGrid | null)[];
  readonly size: number;
  readonly ids: readonly string[];
  readonly columns: DatasetColumns;
  /** Distinct EPSG codes of the patches' CRSs (columns.crsIndex points here). */
  readonly crs: number[];
  readonly revision: string;
  readonly splitSource: 'csv' | 'metadata' | 'seeded';
  readonly problems: DataProblem[];
  readonly placedBy = { raster: 0, metadata: 0, none: 0 };
  readonly openedAt = new Date();
  private readonly byId = new Map<string, number>();
  /** Lazily computed WGS84 corners, 8 per patch (NaN = not placed); state 0 unknown, 1 placed, 2 not placed. */
  private readonly corners: Float32Array;
  private readonly cornerState: Uint8Array;

  constructor(init: OpenDatasetInit) {
    this.id = init.id;
    this.path = init.path;
    this.sample = init.sample;
    this.index = init.index;
    this.grids = init.grids;
    const patches = init.index.patches;
    const n = patches.length;
    this.size = n;
    this.ids = patches.map((p) => p.id);
    patches.forEach((p, i) => this.byId.set(p.id, i));
    this.problems = [...init.index.problems, ...init.placementProblems];
    this.corners = new Float32Array(n * 8).fill(NaN);
    this.cornerState = new Uint8Array(n);

    const splits = resolveSplits(this.ids, patches.map((p) => p.split), 0);
    this.splitSource = init.index.splitSource === 'none' ? 'seeded' : init.index.splitSource;
    const split = new Uint8Array(n).fill(SPLIT_CODE.none);
    for (const s of ['train', 'val', 'test'] as const) for (const i of splits[s]) split[i] = SPLIT_CODE[s];

    const lon = new Float32Array(n).fill(NaN);
    const lat = new Float32Array(n).fill(NaN);
    const lulc = new Uint8Array(n).fill(UNKNOWN);
    const season = new Float32Array(n).fill(NaN);
    const climatezone = new Uint8Array(n).fill(UNKNOWN);
    const modalities = new Uint8Array(n);
    const crsIndex = new Uint8Array(n).fill(UNKNOWN);
    const hasBen19 = patches.some((p) => p.labels.ben19 !== undefined || p.labels.ben43 !== undefined);
    const ben19 = hasBen19 ? new Uint32Array(n) : undefined;
    const chipVocabulary = init.index.chipClasses;
    const chipLabel = chipVocabulary && chipVocabulary.length > 0 ? new Uint8Array(n).fill(UNKNOWN) : undefined;
    const crsList: number[] = [];
    const crsSlot = (epsg: number): number => {
      let k = crsList.indexOf(epsg);
      if (k < 0) {
        crsList.push(epsg);
        k = crsList.length - 1;
      }
      return k < UNKNOWN ? k : UNKNOWN;
    };

    for (let i = 0; i < n; i++) {
      const p = patches[i];
      const grid = init.grids[i];
      const m = p.meta;
      // Centre and CRS, by placePatch's order: the raster grid when its CRS converts, else the metadata (stated
      // corners, then lon/lat, which is taken as it is: no need to build a footprint for 100,000 CSV rows).
      const centre = grid ? gridCentre(grid) : null;
      if (grid && centre) {
        lon[i] = centre[0];
        lat[i] = centre[1];
        crsIndex[i] = crsSlot(grid.epsg);
        this.placedBy.raster++;
      } else if (!m.statedBounds && m.lon !== undefined && m.lat !== undefined) {
        lon[i] = m.lon;
        lat[i] = m.lat;
        crsIndex[i] = crsSlot(4326);
        this.placedBy.metadata++;
      } else {
        const placed = placePatch(null, m);
        const c = placed?.cornersWgs84;
        if (placed && c) {
          lon[i] = (c[0][0] + c[1][0] + c[2][0] + c[3][0]) / 4;
          lat[i] = (c[0][1] + c[1][1] + c[2][1] + c[3][1]) / 4;
          crsIndex[i] = crsSlot(placed.epsg);
          this.placedBy.metadata++;
        } else this.placedBy.none++;
      }
      // Patch-level values with the data layer's own rules (dominant class = argmax of the fractions, ...).
      const v = computeVectors(p, undefined);
      const lulcValue = v[VECTOR_FIELDS.lulc.offset];
      if (lulcValue === lulcValue) lulc[i] = lulcValue;
      if (m.season !== undefined) season[i] = m.season;
      if (m.climatezone !== undefined && Number.isInteger(m.climatezone) && m.climatezone >= 0 && m.climatezone < UNKNOWN) climatezone[i] = m.climatezone;
      let bits = 0;
      if (p.files.s2) bits |= MODALITY_BIT.s2;
      if (p.files.s1) bits |= MODALITY_BIT.s1;
      if (p.files.dem) bits |= MODALITY_BIT.dem;
      if (p.files.worldcover) bits |= MODALITY_BIT.worldcover;
      if (m.era5 && m.era5.some((x) => x === x)) bits |= MODALITY_BIT.era5;
      if (m.climatezone !== undefined) bits |= MODALITY_BIT.climatezone;
      if (m.season !== undefined) bits |= MODALITY_BIT.season;
      const labelled = lulcValue === lulcValue || hasAny(v, VECTOR_FIELDS.ben19.offset, 1) || m.chipLabel !== undefined;
      if (labelled) bits |= MODALITY_BIT.labels;
      modalities[i] = bits;
      if (ben19 && hasAny(v, VECTOR_FIELDS.ben19.offset, 1)) {
        let mask = 0;
        for (let k = 0; k < BEN19_CLASSES.length; k++) if (v[VECTOR_FIELDS.ben19.offset + k] > 0.5) mask |= 1 << k;
        ben19[i] = mask >>> 0;
      }
      if (chipLabel && m.chipLabel !== undefined) {
        const k = chipVocabulary!.indexOf(m.chipLabel);
        if (k >= 0 && k < UNKNOWN) chipLabel[i] = k;
      }
    }
    this.crs = crsList;
    this.columns = { lon, lat, split, lulc, season, climatezone, modalities, crsIndex, ben19, chipLabel };
    const h = createHash('sha1');
    h.update(init.index.layout);
    for (const id of this.ids) h.update(id).update('\n');
    for (const col of [lon, lat, split, lulc, season, climatezone, modalities, crsIndex]) h.update(new Uint8Array(col.buffer));
    this.revision = h.digest('hex').slice(0, 16);
  }

  get name(): string {
    return this.index.name;
  }

  get layout(): DatasetIndex['layout'] {
    return this.index.layout;
  }

  /** Position of a patch id, or -1. */
  indexOf(patchId: string): number {
    return this.byId.get(patchId) ?? -1;
  }

  entry(i: number): PatchEntry {
    return this.index.patches[i];
  }

  splitOf(i: number): SplitName | null {
    const code = this.columns.split[i];
    return code === 0 ? 'train' : code === 1 ? 'val' : code === 2 ? 'test' : null;
  }

  placement(i: number): Placement | null {
    return placePatch(this.grids[i], this.index.patches[i].meta);
  }

  /** WGS84 corners of patch i (memoised), or null when it cannot be placed. */
  cornersWgs84(i: number): Float32Array | null {
    if (this.cornerState[i] === 0) {
      const c = this.placement(i)?.cornersWgs84 ?? null;
      if (c) {
        for (let k = 0; k < 4; k++) {
          this.corners[i * 8 + 2 * k] = c[k][0];
          this.corners[i * 8 + 2 * k + 1] = c[k][1];
        }
      }
      this.cornerState[i] = c ? 1 : 2;
    }
    return this.cornerState[i] === 1 ? this.corners.subarray(i * 8, i * 8 + 8) : null;
  }

  /**
   * Patches whose footprint meets `bbox` ([w, s, e, n]), in index order; all placed patches without a bbox.
   * Centres are tested first against the bbox grown by a patch's half-diagonal, so only candidates are projected.
   */
  footprints(bbox: [number, number, number, number] | undefined, limit: number): { total: number; indices: Uint32Array; corners: Float32Array } {
    const { lon, lat } = this.columns;
    const picked: number[] = [];
    let total = 0;
    const halfDeg = (PATCH_SIZE * PIXEL_SIZE_M * 0.75) / 111_000;
    for (let i = 0; i < this.size; i++) {
      const x = lon[i];
      const y = lat[i];
      if (x !== x) continue;
      if (bbox) {
        const dy = halfDeg;
        const dx = halfDeg / Math.max(0.01, Math.cos((y * Math.PI) / 180));
        if (y + dy < bbox[1] || y - dy > bbox[3] || x + dx < bbox[0] || x - dx > bbox[2]) continue;
      }
      const c = this.cornersWgs84(i);
      if (!c) continue;
      if (bbox) {
        let w = Infinity, s = Infinity, e = -Infinity, nn = -Infinity;
        for (let k = 0; k < 4; k++) {
          w = Math.min(w, c[2 * k]);
          e = Math.max(e, c[2 * k]);
          s = Math.min(s, c[2 * k + 1]);
          nn = Math.max(nn, c[2 * k + 1]);
        }
        if (e < bbox[0] || w > bbox[2] || nn < bbox[1] || s > bbox[3]) continue;
      }
      total++;
      if (picked.length < limit) picked.push(i);
    }
    const indices = Uint32Array.from(picked);
    const corners = new Float32Array(picked.length * 8);
    picked.forEach((i, k) => corners.set(this.cornersWgs84(i)!, k * 8));
    return { total, indices, corners };
  }

  /** [w, s, e, n] over all placed patches: centres grown by half a patch (exact to a few metres). */
  bboxWgs84(): [number, number, number, number] | null {
    const { lon, lat } = this.columns;
    let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
    const half = (PATCH_SIZE * PIXEL_SIZE_M) / 2 / 111_320;
    for (let i = 0; i < this.size; i++) {
      const x = lon[i];
      const y = lat[i];
      if (x !== x) continue;
      const dx = half / Math.max(0.01, Math.cos((y * Math.PI) / 180));
      w = Math.min(w, x - dx);
      e = Math.max(e, x + dx);
      s = Math.min(s, y - half);
      n = Math.max(n, y + half);
    }
    return w <= e ? [w, s, e, n] : null;
  }

  splitCounts(): { train: number; val: number; test: number; none: number } {
    const out = { train: 0, val: 0, test: 0, none: 0 };
    for (const code of this.columns.split) {
      if (code === 0) out.train++;
      else if (code === 1) out.val++;
      else if (code === 2) out.test++;
      else out.none++;
    }
    return out;
  }

  problemSummary(): { errors: number; warnings: number; items: DataProblem[] } {
    let errors = 0;
    for (const p of this.problems) if (p.severity === 'error') errors++;
    return { errors, warnings: this.problems.length - errors, items: this.problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => ({ ...p })) };
  }

  modalityCounts(): Record<string, number> {
    return modalityCounts(this.index);
  }

  classes(): { lulc: typeof LAND_COVER_CLASSES; climatezone: typeof CLIMATE_ZONES; ben19?: string[]; chip?: string[] } {
    return {
      lulc: LAND_COVER_CLASSES,
      climatezone: CLIMATE_ZONES,
      ...(this.columns.ben19 ? { ben19: [...BEN19_CLASSES] } : {}),
      ...(this.columns.chipLabel ? { chip: [...(this.index.chipClasses ?? [])] } : {}),
    };
  }
}

export type { Corners };
