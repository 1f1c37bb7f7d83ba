import { describe, expect, it } from 'vitest';
import { axisMap, resampleBilinear, resampleNearest, sameExtentMap } from '../../../src-main/core/data/resample';

describe('resampling to the 10 m grid (pixel-centre convention)', () => {
  it('a 20 m ramp resampled to 10 m equals the analytic bilinear ramp (edges held)', () => {
    // Source value = linear function of the source pixel-centre coordinate: v(u, w) = 3u - 2w + 100.
    const sw = 60, sh = 60;
    const src = new Float64Array(sw * sh);
    for (let w = 0; w < sh; w++) for (let u = 0; u < sw; u++) src[w * sw + u] = 3 * u - 2 * w + 100;
    const dst = new Float64Array(120 * 120);
    resampleBilinear(src, sw, sh, dst, 120, 120, sameExtentMap(sw, 120), sameExtentMap(sh, 120));
    let maxError = 0;
    for (let y = 0; y < 120; y++) {
      for (let x = 0; x < 120; x++) {
        // Target centre in source pixel units: u = (x + 0.5) * 10 / 20 - 0.5, clamped to the outer centres.
        const u = Math.min(Math.max((x + 0.5) / 2 - 0.5, 0), sw - 1);
        const w = Math.min(Math.max((y + 0.5) / 2 - 0.5, 0), sh - 1);
        maxError = Math.max(maxError, Math.abs(dst[y * 120 + x] - (3 * u - 2 * w + 100)));
      }
    }
    expect(maxError).toBeLessThan(1e-9);
    // Interior pixels interpolate: target 1 is a quarter source pixel right of source centre 0.
    expect(dst[1]).toBeCloseTo(3 * 0.25 + 100, 9);
    // The outer half source pixel holds the edge value.
    expect(dst[0]).toBe(100);
  });

  it('derives the same mapping from geotransforms, also for a 60 m band and shifted grids', () => {
    const m = axisMap(404400, 10, 404400, 20);
    expect(m).toEqual(sameExtentMap(60, 120));
    const m60 = axisMap(404400, 10, 404400, 60);
    expect(m60.step).toBeCloseTo(1 / 6, 12);
    expect(m60.offset).toBeCloseTo(0.5 / 6 - 0.5, 12);
    // A source starting 10 m (half a 20 m pixel) to the west: target centre 5 m -> source coordinate 0.25 + 0.5 - 0.5.
    const shifted = axisMap(404400, 10, 404390, 20);
    expect(shifted.offset).toBeCloseTo(0.25, 12);
    // North-up rows: negative pixel heights on both sides give the same positive step.
    expect(axisMap(5342400, -10, 5342400, -20)).toEqual(sameExtentMap(60, 120));
  });

  it('nearest keeps classes (no mixing) and maps each 20 m pixel to its 2 x 2 block', () => {
    const src = new Uint8Array([10, 20, 30, 40]);
    const dst = new Int32Array(16);
    resampleNearest(src, 2, 2, dst, 4, 4, sameExtentMap(2, 4), sameExtentMap(2, 4));
    expect(Array.from(dst)).toEqual([10, 10, 20, 20, 10, 10, 20, 20, 30, 30, 40, 40, 30, 30, 40, 40]);
  });

  it('writes one channel of an interleaved destination', () => {
    const src = new Float32Array([1, 2, 3, 4]);
    const dst = new Float32Array(2 * 2 * 3).fill(-1);
    resampleBilinear(src, 2, 2, dst, 2, 2, sameExtentMap(2, 2), sameExtentMap(2, 2), 3, 1);
    expect(Array.from(dst)).toEqual([-1, 1, -1, -1, 2, -1, -1, 3, -1, -1, 4, -1]);
  });
});
