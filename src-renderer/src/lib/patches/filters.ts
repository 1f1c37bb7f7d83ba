import { MODALITY_BITS, SPLIT_CODES, UNKNOWN_CODE, type ModalityKey, type SplitName } from './codes';
import type { PatchColumns } from './columns';
import { labelCodes, labelScheme } from './labels';

/**
 * Which patches the map shows. Every criterion is optional (null = no restriction); a patch is shown when it passes
 * all of them. Patches without a value for a restricted attribute (unknown label, no season) do not pass it.
 */
export interface PatchFilter {
  splits: readonly SplitName[] | null;
  /**
   * Label codes (see labels.ts): dominant WorldCover class indices, BigEarthNet class bits (a patch passes with any
   * of the chosen labels), or chip label indices.
   */
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
 * patches, so it runs on every change of a control.
 */
export function applyFilter(
  cols: Pick<PatchColumns, 'count' | 'split' | 'lulc' | 'season' | 'climatezone' | 'modalities' | 'chipLabel' | 'ben19'>,
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
  const scheme = labelScheme(cols);
  const multi = scheme === 'ben19' && cols.ben19 ? cols.ben19 : null;
  let bits = 0;
  if (multi && filter.classes) for (const k of filter.classes) if (k >= 0 && k < 32) bits = (bits | (1 << k)) >>> 0;
  const labels = multi ? null : labelCodes(cols, scheme);
  let count = 0;
  for (let i = 0; i < n; i++) {
    let ok = 1;
    if (splits && !splits[cols.split[i]]) ok = 0;
    else if (classes && multi && (multi[i] & bits) === 0) ok = 0;
    else if (classes && labels && (labels[i] === UNKNOWN_CODE || !classes[labels[i]])) ok = 0;
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

/** A value's presence toggled in a criterion list; `all` = the full list (a list equal to it becomes null). */
export function toggleIn<T>(current: readonly T[] | null, value: T, all: readonly T[]): T[] | null {
  const base = current ?? all;
  const next = base.includes(value) ? base.filter((v) => v !== value) : [...base, value];
  return next.length === all.length && all.every((v) => next.includes(v)) ? null : next;
}
