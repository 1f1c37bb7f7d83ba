import { describe, expect, it } from 'vitest';
import { pack } from '../../../src-main/services/datasets/packing';
import { BEN19_CLASSES } from '../../../src-main/core/data/bigearthnet-nomenclature';
import { colourPatches, labelFacet } from '../../../src-renderer/src/lib/patches/colour-by';
import { decodeIndex } from '../../../src-renderer/src/lib/patches/columns';
import { applyFilter, NO_FILTER } from '../../../src-renderer/src/lib/patches/filters';
import { firstLabel, labelCodes, labelCounts, labelScheme } from '../../../src-renderer/src/lib/patches/labels';
import { indexOf, ROWS, VOCAB } from './helpers';

/** A BigEarthNet-like index: no WorldCover, 19-class label bits per patch. */
function benIndex(bits: number[]) {
  const n = bits.length;
  const base = indexOf({ ...ROWS, ids: ROWS.ids.slice(0, n), lon: ROWS.lon.slice(0, n), lat: ROWS.lat.slice(0, n), split: ROWS.split.slice(0, n), lulc: Array(n).fill(255), season: ROWS.season.slice(0, n), climatezone: Array(n).fill(255), modalities: Array(n).fill(3) });
  return decodeIndex({ ...base, ben19: pack(Uint32Array.from(bits)) });
}

const vocab = { ...VOCAB, ben19: [...BEN19_CLASSES] };

describe('label schemes', () => {
  it('finds the lowest label bit', () => {
    expect(firstLabel(0)).toBe(255);
    expect(firstLabel(1)).toBe(0);
    expect(firstLabel(0b10100)).toBe(2);
    expect(firstLabel(1 << 18)).toBe(18);
  });

  it('uses WorldCover where a dataset has it, BigEarthNet labels where it has only those', () => {
    expect(labelScheme(decodeIndex(indexOf(ROWS)))).toBe('lulc');
    const ben = benIndex([0b101, 0b10, 0, 1 << 18]);
    expect(labelScheme(ben)).toBe('ben19');
    expect(Array.from(labelCodes(ben, 'ben19'))).toEqual([0, 1, 255, 18]);
    expect([...labelCounts(ben, 'ben19')].sort((a, b) => a[0] - b[0])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
      [18, 1],
    ]);
  });

  it('colours multi-label patches by their first label and offers every label present to the filter', () => {
    const ben = benIndex([0b101, 0b100, 0, 1 << 18]);
    const c = colourPatches('label', ben, vocab);
    expect(Array.from(c.codes)).toEqual([0, 2, 255, 18]);
    expect(c.classes.map((k) => k.label)).toEqual([BEN19_CLASSES[0], BEN19_CLASSES[2], BEN19_CLASSES[18], 'Unknown']);
    const facet = labelFacet(ben, vocab);
    expect(facet.map((k) => [k.code, k.count])).toEqual([
      [0, 1],
      [2, 2],
      [18, 1],
    ]);
  });

  it('filters multi-label patches by any of the chosen labels', () => {
    const ben = benIndex([0b101, 0b100, 0, 1 << 18]);
    const shown = (classes: number[]) => Array.from(applyFilter(ben, { ...NO_FILTER, classes }).mask);
    expect(shown([2])).toEqual([1, 1, 0, 0]);
    expect(shown([0, 18])).toEqual([1, 0, 0, 1]);
    expect(shown([5])).toEqual([0, 0, 0, 0]);
  });
});
