import { describe, expect, it } from 'vitest';
import { decodeIndex } from '../../../src-renderer/src/lib/patches/columns';
import { applyFilter, isFilterActive, NO_FILTER, toggleIn, type PatchFilter } from '../../../src-renderer/src/lib/patches/filters';
import { indexOf, ROWS } from './helpers';

const cols = decodeIndex(indexOf(ROWS));
const shown = (f: Partial<PatchFilter>) => {
  const r = applyFilter(cols, { ...NO_FILTER, ...f });
  return Array.from(r.mask.keys()).filter((i) => r.mask[i]).map((i) => ROWS.ids[i]).join('');
};

describe('patch filters', () => {
  it('shows everything without criteria', () => {
    const r = applyFilter(cols, NO_FILTER);
    expect(r.count).toBe(6);
    expect(isFilterActive(NO_FILTER)).toBe(false);
  });

  it('filters by split, class, climate zone, season range and required modalities', () => {
    expect(shown({ splits: ['train'] })).toBe('abf');
    expect(shown({ splits: ['val', 'none'] })).toBe('ce');
    expect(shown({ classes: [3] })).toBe('bc');
    expect(shown({ climatezones: [15, 0] })).toBe('abf');
    expect(shown({ season: [0.25, 0.75] })).toBe('cef');
    expect(shown({ season: [0, 1] })).toBe('abcef'); // a patch without a season is in no range
    expect(shown({ modalities: ['s1'] })).toBe('abe');
    expect(shown({ modalities: ['s2', 'labels'] })).toBe('abc');
    expect(shown({ splits: ['train'], classes: [0, 2], season: [0.2, 1] })).toBe('af');
    expect(isFilterActive({ ...NO_FILTER, modalities: ['s2'] })).toBe(true);
  });

  it('reuses the output mask and counts what it shows', () => {
    const out = new Uint8Array(6).fill(7);
    const r = applyFilter(cols, { ...NO_FILTER, splits: ['test'] }, out);
    expect(r.mask).toBe(out);
    expect(Array.from(out)).toEqual([0, 0, 0, 1, 0, 0]);
    expect(r.count).toBe(1);
  });

  it('toggles values in a criterion, back to null when all are in', () => {
    const all = ['train', 'val', 'test'] as const;
    const a = toggleIn(null, 'train', all);
    expect(a).toEqual(['val', 'test']);
    const b = toggleIn(a, 'val', all);
    expect(b).toEqual(['test']);
    expect(toggleIn(toggleIn(b, 'val', all), 'train', all)).toBeNull();
  });
});
