import { describe, expect, it } from 'vitest';
import type { PredictionsResult } from '../../../src-main/api/training';
import { hexToRgb, UNKNOWN_COLOUR } from '../../../src-renderer/src/lib/patches/colour-by';
import {
  colourableHeads,
  hasTruth,
  patchPredictionRows,
  predictionColouring,
  RIGHT_COLOUR,
  WRONG_COLOUR,
} from '../../../src-renderer/src/lib/training/prediction-colouring';

const pred = (index: number | null, truth: number | null, confidence: number | null, className: string | null = null) => ({
  index,
  className,
  confidence,
  truth,
  value: null,
  mask: null,
});

// Three predicted patches; the map's dataset has a fourth (d) the predictions do not cover.
const result: PredictionsResult = {
  dir: '/w/pred',
  heads: [
    { target: 'lulc', task: 'classification', classNames: ['Tree cover', 'Shrubland', 'Grassland'], colors: ['#006400', '#ffbb22', '#ffff4c'] },
    { target: 'season', task: 'regression', classNames: [], colors: [] },
  ],
  patches: [
    { id: 'a', split: 'test', byTarget: { lulc: pred(0, 0, 0.9, 'Tree cover'), season: { ...pred(null, null, null), value: 0.42 } } },
    { id: 'b', split: 'test', byTarget: { lulc: pred(2, 0, 0.5, 'Grassland'), season: { ...pred(null, null, null), value: 0.1 } } },
    { id: 'c', split: null, byTarget: { lulc: pred(2, null, 0.1, 'Grassland'), season: { ...pred(null, null, null), value: 0.7 } } },
  ],
};
const ids = ['d', 'c', 'b', 'a'];

const colourAt = (table: Uint8Array, code: number) => Array.from(table.slice(code * 4, code * 4 + 3));

describe('colouring patches by prediction', () => {
  it('by predicted class: codes in the map index order, head colours, unknown for patches not predicted', () => {
    const c = predictionColouring(result, 'lulc', 'class', ids);
    expect(Array.from(c.codes)).toEqual([255, 2, 2, 0]);
    expect(colourAt(c.table, 2)).toEqual(hexToRgb('#ffff4c'));
    expect(colourAt(c.table, 255)).toEqual(hexToRgb(UNKNOWN_COLOUR));
    expect(c.classes.map((k) => [k.label, k.count])).toEqual([
      ['Tree cover', 1],
      ['Grassland', 2],
      ['Not predicted', 1],
    ]);
    expect(c.classes[1].description).toBe('mean confidence 0.30');
  });

  it('right / wrong against the truth; patches without truth are unknown', () => {
    const c = predictionColouring(result, 'lulc', 'correct', ids);
    expect(Array.from(c.codes)).toEqual([255, 255, 1, 0]);
    expect(colourAt(c.table, 0)).toEqual(hexToRgb(RIGHT_COLOUR));
    expect(colourAt(c.table, 1)).toEqual(hexToRgb(WRONG_COLOUR));
    expect(c.classes.map((k) => k.count)).toEqual([1, 1, 2]);
  });

  it('by confidence bins', () => {
    const c = predictionColouring(result, 'lulc', 'confidence', ids);
    expect(Array.from(c.codes)).toEqual([255, 0, 2, 4]);
  });

  it('offers only heads with a class per patch; knows when truth is there; refuses an unknown head', () => {
    expect(colourableHeads(result).map((h) => h.target)).toEqual(['lulc']);
    expect(hasTruth(result, 'lulc')).toBe(true);
    expect(hasTruth(result, 'season')).toBe(false);
    expect(() => predictionColouring(result, 'worldcover', 'class', ids)).toThrow(/no head/);
  });

  it('inspector rows: prediction vs truth per head', () => {
    expect(patchPredictionRows(result, 'b')).toEqual([
      { target: 'lulc', task: 'classification', predicted: 'Grassland', truth: 'Tree cover', confidence: 0.5, right: false },
      { target: 'season', task: 'regression', predicted: '0.100', truth: null, confidence: null, right: null },
    ]);
    expect(patchPredictionRows(result, 'd')).toBeNull();
  });
});
