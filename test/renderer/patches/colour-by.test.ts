import { describe, expect, it } from 'vitest';
import { colourPatches, hexToRgb, NO_ZONE_COLOUR, seasonBin, SEASON_BINS, SPLIT_COLOURS, UNKNOWN_COLOUR } from '../../../src-renderer/src/lib/patches/colour-by';
import { decodeIndex } from '../../../src-renderer/src/lib/patches/columns';
import { indexOf, ROWS, VOCAB } from './helpers';

const cols = decodeIndex(indexOf(ROWS));

function tableColour(table: Uint8Array, code: number): string {
  return `#${[0, 1, 2].map((k) => table[code * 4 + k].toString(16).padStart(2, '0')).join('')}`;
}

describe('colouring patches', () => {
  it('by split: a code per patch, classes with counts in legend order, colours in the table', () => {
    const c = colourPatches('split', cols, VOCAB);
    expect(Array.from(c.codes)).toEqual([0, 0, 1, 2, 255, 0]);
    expect(c.classes.map((k) => [k.label, k.count])).toEqual([
      ['Train', 3],
      ['Validation', 1],
      ['Test', 1],
      ['No split', 1],
    ]);
    expect(tableColour(c.table, 0)).toBe(SPLIT_COLOURS.train);
    expect(tableColour(c.table, 2)).toBe(SPLIT_COLOURS.test);
    expect(tableColour(c.table, 255)).toBe(UNKNOWN_COLOUR);
    // Opaque everywhere: the points layer premultiplies nothing itself.
    for (let k = 0; k < 256; k++) expect(c.table[k * 4 + 3]).toBe(255);
  });

  it('by label: WorldCover classes with ESA colours, unknown last', () => {
    const c = colourPatches('label', cols, VOCAB);
    expect(c.classes.map((k) => k.label)).toEqual(['Tree cover', 'Grassland', 'Cropland', 'Built-up', 'Unknown']);
    expect(c.classes.find((k) => k.label === 'Cropland')!.count).toBe(2);
    expect(tableColour(c.table, 0)).toBe(VOCAB.lulc[0].color);
    expect(c.codes[3]).toBe(255);
  });

  it('by season: five bins over 0..1 (NaN unknown)', () => {
    expect([0, 0.19, 0.2, 0.5, 0.79, 0.8, 1, 1.2, -0.1].map(seasonBin)).toEqual([0, 0, 1, 2, 3, 4, 4, 4, 0]);
    expect(seasonBin(Number.NaN)).toBe(255);
    const c = colourPatches('season', cols, VOCAB);
    expect(Array.from(c.codes)).toEqual([4, 0, 2, 255, 3, 1]);
    expect(tableColour(c.table, 4)).toBe(SEASON_BINS[4].color);
  });

  it('by climate zone: Köppen codes with their legend colours, 0 (water) as its own class', () => {
    const c = colourPatches('climatezone', cols, VOCAB);
    const cfb = VOCAB.climatezone.find((z) => z.code === 15)!;
    expect(c.classes[0]).toMatchObject({ code: 14, count: 1 });
    expect(c.classes.find((k) => k.code === 15)).toMatchObject({ label: cfb.name, color: cfb.color, count: 2, description: cfb.description });
    expect(c.classes.find((k) => k.code === 0)).toMatchObject({ label: 'None (water)', color: NO_ZONE_COLOUR, count: 1 });
    expect(c.classes.at(-1)).toMatchObject({ code: 255, label: 'Unknown', count: 1 });
    expect(tableColour(c.table, 26)).toBe(VOCAB.climatezone.find((z) => z.code === 26)!.color);
  });

  it('reads #rrggbb colours', () => {
    expect(hexToRgb('#0072b2')).toEqual([0, 114, 178]);
    expect(() => hexToRgb('red')).toThrow();
  });
});
