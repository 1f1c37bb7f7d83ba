/**
 * bandStatistics: valid pixels exclude nodata and NaN; min/max/mean over the rest; mean in float64.
 * The expected values are computed here independently, in the simplest possible way.
 */
import { describe, expect, it } from 'vitest';
import { bandStatistics } from '../../../src-main/core/geo/raster';

function naive(values: number[], isValid: (v: number) => boolean): { valid: number; min: number; max: number; mean: number } {
  const kept = values.filter(isValid);
  return {
    valid: kept.length,
    min: Math.min(...kept),
    max: Math.max(...kept),
    mean: kept.reduce((a, b) => a + b, 0) / kept.length,
  };
}

describe('bandStatistics', () => {
  it('skips NaN pixels in float bands', () => {
    const values = [1.5, NaN, -2, 7.25, NaN, 0];
    expect(bandStatistics(Float32Array.from(values), null)).toEqual(naive(values, (v) => !Number.isNaN(v)));
  });

  it('skips the nodata value, and NaN when nodata is NaN', () => {
    const values = [0, 3, 0, 9, 255, 0];
    expect(bandStatistics(Uint8Array.from(values), 0)).toEqual(naive(values, (v) => v !== 0));
    const floats = [NaN, 1, 2, NaN];
    expect(bandStatistics(Float64Array.from(floats), NaN)).toEqual({ valid: 2, min: 1, max: 2, mean: 1.5 });
  });

  it('compares float32 pixels with the float32 rounding of nodata', () => {
    // -3.4e38 is not representable in float32; the stored pixels are its float32 rounding, as GDAL writes them.
    const band = Float32Array.from([-3.4e38, 0.25, -3.4e38, 0.75]);
    expect(bandStatistics(band, -3.4e38)).toEqual({ valid: 2, min: 0.25, max: 0.75, mean: 0.5 });
  });

  it('reports nulls when no pixel is valid', () => {
    expect(bandStatistics(Uint16Array.from([7, 7, 7]), 7)).toEqual({ valid: 0, min: null, max: null, mean: null });
    expect(bandStatistics(Float32Array.from([NaN]), null)).toEqual({ valid: 0, min: null, max: null, mean: null });
  });

  it('keeps the mean exact in float64 where float32 accumulation would drift', () => {
    // 1e7 + 4 million ones: a float32 running sum stalls at 2^24, a float64 one does not.
    const band = new Float32Array(4_000_001).fill(1);
    band[0] = 1e7;
    const stats = bandStatistics(band, null);
    expect(stats.mean).toBe((1e7 + 4_000_000) / 4_000_001);
  });

  it('handles the extremes of integer types', () => {
    const band = Int32Array.from([-2147483648, 2147483647, 0]);
    expect(bandStatistics(band, null)).toEqual({ valid: 3, min: -2147483648, max: 2147483647, mean: -1 / 3 });
  });
});
