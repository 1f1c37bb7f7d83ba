import { describe, expect, it } from 'vitest';
import { dodgeOffsets, extent, formatTick, linePath, linearScale, logScale, niceDomain, niceTicks, tickStep } from '../../../src-renderer/src/lib/training/chart';

describe('chart scales', () => {
  it('picks 1-2-5 steps and exact tick values', () => {
    expect(tickStep(0, 1, 5)).toBe(0.2);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.123, 0.987, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(1, 30, 5)).toEqual([5, 10, 15, 20, 25, 30]);
    expect(niceTicks(-3, 3, 3)).toEqual([-2, 0, 2]);
    expect(niceTicks(2, 2)).toEqual([2]);
    expect(niceDomain(0.13, 0.91, 4)).toEqual([0, 1]);
  });

  it('maps linearly (SVG y runs downwards: a reversed range)', () => {
    const y = linearScale([0, 2], [100, 0]);
    expect(y(0)).toBe(100);
    expect(y(2)).toBe(0);
    expect(y(0.5)).toBe(75);
    expect(linearScale([1, 1], [0, 10])(1)).toBe(5);
  });

  it('maps label fractions on a log axis with 1-2-5 ticks', () => {
    const x = logScale([0.01, 1], [0, 200]);
    expect(x(0.01)).toBeCloseTo(0);
    expect(x(0.1)).toBeCloseTo(100);
    expect(x(1)).toBeCloseTo(200);
    expect(x.ticks()).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
    expect(() => logScale([0, 1], [0, 1])).toThrow(RangeError);
  });

  it('ignores missing values in extents and breaks lines at them', () => {
    expect(extent([3, null, 1, Number.NaN, 2, undefined])).toEqual([1, 3]);
    expect(extent([null])).toBeNull();
    expect(extent([0.5])).toEqual([0.45, 0.55]);
    const id = (v: number) => v;
    expect(linePath([{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: null }, { x: 3, y: 4 }, { x: 4, y: 5 }], id, id)).toBe('M0,1L1,2M3,4L4,5');
    expect(linePath([], id, id)).toBe('');
  });

  it('formats ticks with the digits their step needs', () => {
    expect(formatTick(0.4, [0, 0.2, 0.4])).toBe('0.4');
    expect(formatTick(0.05, [0, 0.05, 0.1])).toBe('0.05');
    expect(formatTick(20, [0, 10, 20])).toBe('20');
    // An axis keeps one notation: 0.0005 next to 0.0010 is not written 5e-4.
    expect([0, 0.0005, 0.001].map((t, _, all) => formatTick(t, all))).toEqual(['0.0000', '0.0005', '0.0010']);
    expect(formatTick(200000, [0, 100000, 200000])).toBe('2e+5');
    expect(formatTick(0.00002, [0, 0.00001, 0.00002])).toBe('2e-5');
  });

  it('dodges series sideways around the true x, neighbours a step apart', () => {
    // Two arms at the same fraction: 8 px apart, centred on it (the SSL dot left, the scratch ring right).
    expect(dodgeOffsets(2, 8)).toEqual([-4, 4]);
    expect(dodgeOffsets(3, 6)).toEqual([-6, 0, 6]);
    // One series (the loss charts) or no dodge: drawn where it is.
    expect(dodgeOffsets(1, 8)).toEqual([0]);
    expect(dodgeOffsets(2, 0).every((d) => d === 0)).toBe(true);
    expect(dodgeOffsets(0, 8)).toEqual([]);
    // Shifted points of equal value no longer share a pixel, and the offsets add up to nothing (the pair's centre stays).
    const x = logScale([0.1, 1], [40, 340]);
    const [a, b] = dodgeOffsets(2, 8).map((d) => x(0.2) + d);
    expect(b - a).toBe(8);
    expect((a + b) / 2).toBeCloseTo(x(0.2), 9);
  });
});
