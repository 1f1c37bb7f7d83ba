import { describe, expect, it } from 'vitest';
import { applySelect, PatchSelection } from '../../../src-renderer/src/lib/patches/selection';

describe('patch selection', () => {
  it('adds, removes, toggles and replaces with a correct count', () => {
    const s = new PatchSelection(10);
    s.add([1, 3, 3, 5, 42, -1]);
    expect(s.size).toBe(3);
    expect(Array.from(s.indices())).toEqual([1, 3, 5]);
    s.toggle(3);
    s.toggle(7);
    expect(Array.from(s.indices())).toEqual([1, 5, 7]);
    s.remove([1, 2]);
    expect(s.size).toBe(2);
    s.replace([9]);
    expect(Array.from(s.indices())).toEqual([9]);
    expect(s.has(9) && !s.has(5)).toBe(true);
    s.clear();
    expect(s.size).toBe(0);
  });

  it('applies click modes: replace, add (box with Shift), toggle (Shift-click)', () => {
    const s = new PatchSelection(6);
    applySelect(s, [0, 1], 'replace');
    applySelect(s, [1, 2], 'add');
    expect(Array.from(s.indices())).toEqual([0, 1, 2]);
    applySelect(s, [2, 3], 'toggle');
    expect(Array.from(s.indices())).toEqual([0, 1, 3]);
    applySelect(s, [5], 'replace');
    expect(Array.from(s.indices())).toEqual([5]);
  });

  it('counts selected patches a filter hides', () => {
    const s = new PatchSelection(4);
    s.add([0, 1, 2]);
    expect(s.hiddenBy(Uint8Array.from([1, 0, 0, 1]))).toBe(2);
  });
});
