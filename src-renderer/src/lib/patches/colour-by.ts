import type { DatasetSummary } from '../../../../src-main/api/datasets';
import { SPLIT_CODES, UNKNOWN_CODE } from './codes';
import type { PatchColumns } from './columns';
import { labelCodes, labelCounts, labelScheme, QUALITATIVE } from './labels';

/**
 * Colouring patches by one attribute: every patch gets a category code (0..255), and a palette maps codes to
 * colours. The map draws codes through a 256-entry colour table, so switching the attribute only replaces one byte
 * per patch. Pure functions: no map, no DOM.
 */

export type ColourAttribute = 'split' | 'label' | 'season' | 'climatezone';

export const COLOUR_ATTRIBUTES: ReadonlyArray<{ id: ColourAttribute; title: string }> = [
  { id: 'split', title: 'Split' },
  { id: 'label', title: 'Label' },
  { id: 'season', title: 'Season' },
  { id: 'climatezone', title: 'Climate zone' },
];

export interface ColourClass {
  /** The category code patches of this class carry. */
  code: number;
  label: string;
  /** #rrggbb */
  color: string;
  /** Patches in this class. */
  count: number;
  /** A longer description (a Köppen zone's name), shown as a tooltip. */
  description?: string;
}

export interface Colouring {
  attribute: ColourAttribute;
  /** One code per patch. */
  codes: Uint8Array;
  /** Classes in legend order, only those that occur (with their counts), unknown last. */
  classes: ColourClass[];
  /** RGBA bytes, 256 entries: the colour of code c at [4c, 4c + 4). */
  table: Uint8Array;
}

/** Patches with no value for the attribute. */
export const UNKNOWN_COLOUR = '#9aa3ab';

/** Climate zone 0 (water): light blue rather than the legend's white, which vanishes on the land colour. */
export const NO_ZONE_COLOUR = '#bcd4e6';

/** Split colours: qualitative, distinguishable for the common colour-vision deficiencies (Okabe–Ito). */
export const SPLIT_COLOURS = { train: '#0072b2', val: '#e69f00', test: '#cc79a7', none: UNKNOWN_COLOUR } as const;

/**
 * Season bins over the index's season value (0 at the winter solstice, 1 at the summer solstice). The value says
 * how far into summer a date is, not which half of the year, so spring and autumn share the middle bins.
 */
export const SEASON_BINS = [
  { upTo: 0.2, label: 'Midwinter (0–0.2)', color: '#3b5b92' },
  { upTo: 0.4, label: 'Winter side (0.2–0.4)', color: '#5f9ac4' },
  { upTo: 0.6, label: 'Equinox (0.4–0.6)', color: '#8cc084' },
  { upTo: 0.8, label: 'Summer side (0.6–0.8)', color: '#e9c54a' },
  { upTo: 1.0000001, label: 'Midsummer (0.8–1)', color: '#e2733b' },
] as const;

export function seasonBin(value: number): number {
  if (!Number.isFinite(value)) return UNKNOWN_CODE;
  const v = Math.min(1, Math.max(0, value));
  const k = SEASON_BINS.findIndex((b) => v < b.upTo);
  return k < 0 ? SEASON_BINS.length - 1 : k;
}

export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

type Vocabulary = Pick<DatasetSummary['classes'], 'lulc' | 'climatezone' | 'chip' | 'ben19'>;

interface ClassDef {
  code: number;
  label: string;
  color: string;
  description?: string;
}

function definitions(attribute: ColourAttribute, vocab: Vocabulary, cols: PatchColumns): { defs: ClassDef[]; code: (i: number) => number } {
  switch (attribute) {
    case 'split':
      return {
        defs: (['train', 'val', 'test', 'none'] as const).map((s) => ({
          code: SPLIT_CODES[s],
          label: s === 'none' ? 'No split' : s === 'val' ? 'Validation' : s[0].toUpperCase() + s.slice(1),
          color: SPLIT_COLOURS[s],
        })),
        code: (i) => cols.split[i],
      };
    case 'season':
      return { defs: SEASON_BINS.map((b, k) => ({ code: k, label: b.label, color: b.color })), code: (i) => seasonBin(cols.season[i]) };
    case 'climatezone':
      return {
        defs: [
          ...vocab.climatezone.map((c) => ({ code: c.code, label: c.name, color: c.color, description: c.description })),
          // ben-ge's 0: a patch over water, outside every zone.
          { code: 0, label: 'None (water)', color: NO_ZONE_COLOUR, description: 'No climate zone (water)' },
        ],
        code: (i) => cols.climatezone[i],
      };
    case 'label': {
      // The dominant WorldCover class (ESA colours), else BigEarthNet's first label, else a chip dataset's label.
      const scheme = labelScheme(cols);
      const codes = labelCodes(cols, scheme);
      const names = scheme === 'ben19' ? vocab.ben19 : scheme === 'chip' ? vocab.chip : undefined;
      if (names) return { defs: names.map((name, k) => ({ code: k, label: name, color: QUALITATIVE[k % QUALITATIVE.length] })), code: (i) => codes[i] };
      return { defs: vocab.lulc.map((c) => ({ code: c.index, label: c.name, color: c.color })), code: (i) => codes[i] };
    }
  }
}

export function colourPatches(attribute: ColourAttribute, cols: PatchColumns, vocab: Vocabulary): Colouring {
  const { defs, code } = definitions(attribute, vocab, cols);
  const known = new Map<number, ClassDef>();
  for (const d of defs) if (d.code !== UNKNOWN_CODE) known.set(d.code, d);
  const codes = new Uint8Array(cols.count);
  const counts = new Uint32Array(256);
  for (let i = 0; i < cols.count; i++) {
    let c = code(i);
    if (!known.has(c)) c = UNKNOWN_CODE;
    codes[i] = c;
    counts[c]++;
  }
  const table = new Uint8Array(256 * 4);
  const paint = (c: number, hex: string) => {
    const [r, g, b] = hexToRgb(hex);
    table.set([r, g, b, 255], c * 4);
  };
  for (let c = 0; c < 256; c++) paint(c, UNKNOWN_COLOUR);
  const classes: ColourClass[] = [];
  for (const d of defs) {
    if (d.code === UNKNOWN_CODE) continue;
    paint(d.code, d.color);
    if (counts[d.code] > 0) classes.push({ code: d.code, label: d.label, color: d.color, count: counts[d.code], ...(d.description ? { description: d.description } : {}) });
  }
  if (counts[UNKNOWN_CODE] > 0) {
    const unknownLabel = attribute === 'split' ? 'No split' : 'Unknown';
    classes.push({ code: UNKNOWN_CODE, label: unknownLabel, color: UNKNOWN_COLOUR, count: counts[UNKNOWN_CODE] });
  }
  return { attribute, codes, classes, table };
}

/**
 * The labels a class filter offers: every label present with the number of patches having it (for multi-label
 * BigEarthNet, a patch counts under each of its labels), in vocabulary order.
 */
export function labelFacet(cols: PatchColumns, vocab: Vocabulary): ColourClass[] {
  const scheme = labelScheme(cols);
  const counts = labelCounts(cols, scheme);
  const names = scheme === 'ben19' ? vocab.ben19 : scheme === 'chip' ? vocab.chip : undefined;
  const defs: ClassDef[] = names
    ? names.map((name, k) => ({ code: k, label: name, color: QUALITATIVE[k % QUALITATIVE.length] }))
    : vocab.lulc.map((c) => ({ code: c.index, label: c.name, color: c.color }));
  return defs.filter((d) => (counts.get(d.code) ?? 0) > 0).map((d) => ({ code: d.code, label: d.label, color: d.color, count: counts.get(d.code) ?? 0 }));
}
