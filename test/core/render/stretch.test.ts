import { describe, expect, it } from 'vitest';
import { percentileOfSorted, scaleToByte, sortedValid, stretchRange } from '../../../src-main/core/render/stretch';
import { histogram } from '../../../src-main/core/render/histogram';

describe('stretch', () => {
  const ramp = Float32Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  it('percentiles follow numpy linear interpolation', () => {
    // np.percentile(np.arange(1, 101), [2, 98]) == [2.98, 98.02]
    const r = stretchRange(ramp, { mode: 'percentile', low: 2, high: 98 })!;
    expect(r[0]).toBeCloseTo(2.98, 10);
    expect(r[1]).toBeCloseTo(98.02, 10);
    // np.percentile([1, 2, 3, 4], 50) == 2.5; [0, 100] are min and max
    const s = sortedValid([4, 1, 3, 2]);
    expect(percentileOfSorted(s, 50)).toBe(2.5);
    expect(percentileOfSorted(s, 0)).toBe(1);
    expect(percentileOfSorted(s, 100)).toBe(4);
  });

  it('leaves NaN and masked pixels out', () => {
    const v = Float32Array.from([NaN, 5, 1000, -3, Infinity]);
    const mask = Uint8Array.from([1, 1, 0, 1, 1]);
    expect(stretchRange(v, { mode: 'minmax' }, mask)).toEqual([-3, 5]);
    expect(stretchRange(v, { mode: 'minmax' })).toEqual([-3, 1000]);
    expect(stretchRange(Float32Array.from([NaN, NaN]), { mode: 'percentile', low: 2, high: 98 })).toBeNull();
  });

  it('fixed ranges are per channel or shared, and must be ordered', () => {
    expect(stretchRange(ramp, { mode: 'fixed', min: 0, max: 0.3 }, undefined, 2)).toEqual([0, 0.3]);
    expect(stretchRange(ramp, { mode: 'fixed', min: [0, 1, 2], max: [10, 11, 12] }, undefined, 1)).toEqual([1, 11]);
    expect(() => stretchRange(ramp, { mode: 'fixed', min: 1, max: 1 })).toThrow(/min < max/);
    expect(() => stretchRange(ramp, { mode: 'percentile', low: 60, high: 40 })).toThrow(/low < high/);
  });

  it('maps values to bytes with clamping; a collapsed range is mid-grey', () => {
    expect(scaleToByte(0, 0, 1)).toBe(0);
    expect(scaleToByte(0.5, 0, 1)).toBe(128);
    expect(scaleToByte(2, 0, 1)).toBe(255);
    expect(scaleToByte(-1, 0, 1)).toBe(0);
    expect(scaleToByte(7, 7, 7)).toBe(128);
  });
});

describe('histogram', () => {
  it('counts equal-width bins between min and max, last bin closed (numpy.histogram)', () => {
    // np.histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 10], bins=5) -> counts [2, 2, 2, 2, 2], edges 0, 2, ..., 10
    const h = histogram(Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 10, NaN]), 5);
    expect(h.counts).toEqual([2, 2, 2, 2, 2]);
    expect([h.min, h.max, h.valid, h.invalid]).toEqual([0, 10, 10, 1]);
    expect(h.mean).toBeCloseTo(4.6, 6);
  });

  it('handles constant and empty bands', () => {
    expect(histogram(Float32Array.from([3, 3, 3]), 4).counts).toEqual([3, 0, 0, 0]);
    const empty = histogram(Float32Array.from([NaN]), 4);
    expect([empty.min, empty.max, empty.valid, empty.mean]).toEqual([null, null, 0, null]);
  });
});

describe('percentile by selection', () => {
  it('equals the percentile of the sorted values for random data, ties and tiny arrays', async () => {
    const { createRng } = await import('../../../src-main/core/data/rng');
    const { percentileInPlace } = await import('../../../src-main/core/render/stretch');
    const rng = createRng('percentile');
    for (const n of [1, 2, 3, 7, 100, 14_400]) {
      for (const ties of [false, true]) {
        const values = Float64Array.from({ length: n }, () => (ties ? rng.int(5) : rng.normal()));
        const sorted = Float64Array.from(values).sort();
        for (const p of [0, 2, 25, 50, 97.5, 98, 100]) {
          expect(percentileInPlace(Float64Array.from(values), p)).toBeCloseTo(percentileOfSorted(sorted, p), 12);
        }
      }
    }
  });
});
