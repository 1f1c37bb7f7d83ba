import { MODALITY_BITS, SPLIT_CODES, UNKNOWN_CODE, type ModalityKey, type SplitName } from './codes';
import type { PatchColumns } from './columns';

/**
 * Which patches the map shows. Every criterion is optional (null = no restriction); a patch is shown when it passes
 * all of them. Patches without a value for a restricted attribute (unknown label, no season) do not pass it.
 */
export interface PatchFilter {
  splits: readonly SplitName[] | null;
  /** Dominant WorldCover class indices (the index's lulc codes); chip datasets: chip label indices. */
  classes: readonly number[] | null;
  /** Inclusive [min, max] of the season value (0 winter solstice .. 1 summer solstice). */
  season: readonly [number, number] | null;
  /** Köppen–Geiger codes (0 = water). */
  climatezones: readonly number[] | null;
  /** Modalities a patch must have (all of them). */
  modalities: readonly ModalityKey[];
}

export const NO_FILTER: PatchFilter = { splits: null, classes: null, season: null, climatezones: null, modalities: [] };

export function isFilterActive(f: PatchFilter): boolean {
  return f.splits !== null || f.classes !== null || f.season !== null || f.climatezones !== null || f.modalities.length > 0;
}

function codeSet(values: readonly number[]): Uint8Array {
  const set = new Uint8Array(256);
  for (const v of values) if (v >= 0 && v < 256) set[v] = 1;
  return set;
}

export interface FilterResult {
  /** 1 for a shown patch. */
  mask: Uint8Array;
  /** Shown patches. */
  count: number;
}

/**
 * The mask of shown patches: one pass over the columns with table look-ups, a couple of milliseconds for 100,000
 * patches, so it runs on every change of a control. `labelColumn` picks the class column (lulc or chip labels).
 */
export function applyFilter(
  cols: Pick<PatchColumns, 'count' | 'split' | 'lulc' | 'season' | 'climatezone' | 'modalities' | 'chipLabel'>,
  filter: PatchFilter,
  out?: Uint8Array,
): FilterResult {
  const n = cols.count;
  const mask = out && out.length === n ? out : new Uint8Array(n);
  const splits = filter.splits ? codeSet(filter.splits.map((s) => SPLIT_CODES[s])) : null;
  const classes = filter.classes ? codeSet(filter.classes) : null;
  const zones = filter.climatezones ? codeSet(filter.climatezones) : null;
  let required = 0;
  for (const m of filter.modalities) required |= MODALITY_BITS[m];
  const [smin, smax] = filter.season ?? [0, 1];
  const season = filter.season !== null;
  const labels = labelColumn(cols);
  let count = 0;
  for (let i = 0; i < n; i++) {
    let ok = 1;
    if (splits && !splits[cols.split[i]]) ok = 0;
    else if (classes && (labels[i] === UNKNOWN_CODE || !classes[labels[i]])) ok = 0;
    else if (zones && (cols.climatezone[i] === UNKNOWN_CODE || !zones[cols.climatezone[i]])) ok = 0;
    else if ((cols.modalities[i] & required) !== required) ok = 0;
    else if (season) {
      const s = cols.season[i];
      // NaN fails both comparisons: a patch without a season is not in any range.
      if (!(s >= smin && s <= smax)) ok = 0;
    }
    mask[i] = ok;
    count += ok;
  }
  return { mask, count };
}

/** The class column a label filter and the "label" colouring use: WorldCover where known, else chip labels. */
export function labelColumn(cols: Pick<PatchColumns, 'lulc' | 'chipLabel'>): Uint8Array {
  if (cols.chipLabel && !cols.lulc.some((v) => v !== UNKNOWN_CODE)) return cols.chipLabel;
  return cols.lulc;
}

/** A value's presence toggled in a criterion list; `all` = the full list (a list equal to it becomes null). */
export function toggleIn<T>(current: readonly T[] | null, value: T, all: readonly T[]): T[] | null {
  const base = current ?? all;
  const next = base.includes(value) ? base.filter((v) => v !== value) : [...base, value];
  return next.length === all.length && all.every((v) => next.includes(v)) ? null : next;
}
