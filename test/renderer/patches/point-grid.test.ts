import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src-main/core/data/rng';
import { PointGrid } from '../../../src-renderer/src/lib/patches/point-grid';

/** Clustered points like a dataset of Sentinel-2 tiles: dense blobs far apart, plus a few unplaced (NaN). */
function points(n: number, seed: string): { x: Float64Array; y: Float64Array } {
  const rng = createRng(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const centres = Array.from({ length: 12 }, () => [rng.range(-1e6, 3e6), rng.range(4e6, 9e6)]);
  for (let i = 0; i < n; i++) {
    if (i % 97 === 0) {
      x[i] = y[i] = Number.NaN;
      continue;
    }
    const [cx, cy] = centres[i % centres.length];
    x[i] = cx + rng.range(-50_000, 50_000);
    y[i] = cy + rng.range(-50_000, 50_000);
  }
  return { x, y };
}

function bruteNearest(x: Float64Array, y: Float64Array, px: number, py: number, tol: number, accept?: (i: number) => boolean): number {
  let best = -1;
  let bestD = tol * tol;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || (accept && !accept(i))) continue;
    const d = (x[i] - px) ** 2 + (y[i] - py) ** 2;
    if (d < bestD || (d === bestD && (best < 0 || i < best))) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

describe('point grid', () => {
  const { x, y } = points(20_000, 'grid');
  const grid = new PointGrid(x, y);
  const rng = createRng('queries');

  it('finds the same nearest point as a brute-force search, within the tolerance', () => {
    let found = 0;
    for (let q = 0; q < 400; q++) {
      const i = Math.floor(rng.range(0, x.length));
      const px = (Number.isNaN(x[i]) ? 1e6 : x[i]) + rng.range(-3000, 3000);
      const py = (Number.isNaN(y[i]) ? 6e6 : y[i]) + rng.range(-3000, 3000);
      const tol = rng.range(10, 5000);
      const got = grid.nearest(px, py, tol);
      expect(got).toBe(bruteNearest(x, y, px, py, tol));
      if (got >= 0) found++;
    }
    expect(found).toBeGreaterThan(100);
  });

  it('respects the accept filter and never returns unplaced points', () => {
    const even = (i: number) => i % 2 === 0;
    for (let q = 0; q < 100; q++) {
      const px = rng.range(-1e6, 3e6);
      const py = rng.range(4e6, 9e6);
      expect(grid.nearest(px, py, 200_000, even)).toBe(bruteNearest(x, y, px, py, 200_000, even));
    }
    expect(grid.nearest(Number.NaN, Number.NaN, 1e9)).toBe(-1);
  });

  it('lists the points inside a rectangle, ascending, like a brute-force scan', () => {
    for (let q = 0; q < 60; q++) {
      const x0 = rng.range(-1.2e6, 3e6);
      const y0 = rng.range(3.8e6, 9e6);
      const w = rng.range(1000, 400_000);
      const h = rng.range(1000, 400_000);
      const want: number[] = [];
      for (let i = 0; i < x.length; i++) if (x[i] >= x0 && x[i] <= x0 + w && y[i] >= y0 && y[i] <= y0 + h) want.push(i);
      expect(grid.within(x0, y0, x0 + w, y0 + h)).toEqual(want);
    }
    expect(grid.within(5e7, 5e7, 6e7, 6e7)).toEqual([]);
  });

  it('handles no points, one point and identical points', () => {
    expect(new PointGrid(new Float64Array(0), new Float64Array(0)).nearest(0, 0, 10)).toBe(-1);
    const one = new PointGrid(Float64Array.from([5]), Float64Array.from([5]));
    expect(one.nearest(6, 6, 2)).toBe(0);
    expect(one.nearest(9, 9, 2)).toBe(-1);
    const same = new PointGrid(Float64Array.from([1, 1, 1]), Float64Array.from([2, 2, 2]));
    expect(same.nearest(1, 2, 0)).toBe(0); // ties go to the lowest index
    expect(same.within(0, 0, 5, 5)).toEqual([0, 1, 2]);
  });
});
