import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src-main/core/data/rng';

describe('createRng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = createRng(7), b = createRng('7'), c = createRng(8);
    const xa = Array.from({ length: 50 }, () => a.next());
    const xb = Array.from({ length: 50 }, () => b.next());
    const xc = Array.from({ length: 50 }, () => c.next());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
    for (const x of xa) expect(x >= 0 && x < 1).toBe(true);
  });

  it('gives uniform next(), unbiased int() and standard normal()', () => {
    const r = createRng('stats');
    const n = 200_000;
    let sum = 0, sumN = 0, sumN2 = 0;
    const counts = new Array(10).fill(0);
    for (let i = 0; i < n; i++) {
      sum += r.next();
      counts[r.int(10)]++;
      const z = r.normal();
      sumN += z;
      sumN2 += z * z;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    for (const k of counts) expect(Math.abs(k / n - 0.1)).toBeLessThan(0.005);
    expect(sumN / n).toBeCloseTo(0, 1);
    expect(sumN2 / n).toBeCloseTo(1, 1);
  });

  it('forks streams that depend on the label and seed path, not on the parent draws', () => {
    const p1 = createRng(1);
    const p2 = createRng(1);
    for (let i = 0; i < 17; i++) p2.next();
    const f1 = p1.fork('aug'), f2 = p2.fork('aug'), g = p1.fork('split');
    const s1 = [f1.next(), f1.next()], s2 = [f2.next(), f2.next()], sg = [g.next(), g.next()];
    expect(s1).toEqual(s2);
    expect(s1).not.toEqual(sg);
    expect(f1.seedPath).toBe('1/aug');
  });

  it('shuffles into a permutation and chooses members', () => {
    const r = createRng(3);
    const a = Array.from({ length: 100 }, (_, i) => i);
    const s = r.shuffle([...a]);
    expect(s).not.toEqual(a);
    expect([...s].sort((x, y) => x - y)).toEqual(a);
    const items = ['x', 'y', 'z'] as const;
    const seen = new Set(Array.from({ length: 100 }, () => r.choice(items)));
    expect(seen.size).toBe(3);
    expect(() => r.int(0)).toThrow();
  });
});
