import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashedSplit, labelFraction, resolveSplits, type LabelledItem } from '../../../src-main/core/data/splits';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { writeBengeFixture, type BengeFixture } from './helpers/write-benge';

describe('splits', () => {
  it('assigns seeded random splits by id, stable under reordering and growth, about 80/10/10', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `patch_${i}`);
    const a = resolveSplits(ids, ids.map(() => undefined), 7);
    expect(a.train.length / 2000).toBeGreaterThan(0.76);
    expect(a.train.length / 2000).toBeLessThan(0.84);
    expect(a.val.length / 2000).toBeGreaterThan(0.08);
    expect(a.test.length / 2000).toBeGreaterThan(0.08);
    const shuffled = [...ids].reverse();
    for (const id of ids.slice(0, 50)) expect(hashedSplit(id, 7)).toBe(hashedSplit(shuffled[shuffled.indexOf(id)], 7));
    const other = resolveSplits(ids, ids.map(() => undefined), 8);
    expect(other.train).not.toEqual(a.train);
    // Given splits win; unlisted patches then belong to none.
    const given = resolveSplits(['a', 'b', 'c'], ['test', undefined, 'train'], 7);
    expect(given).toEqual({ train: [2], val: [], test: [0] });
  });
});

describe('label fraction', () => {
  // 200 items: class c has 2^(5 - c) * 6 items roughly (imbalanced), class 6 only once.
  const items: LabelledItem[] = [];
  let k = 0;
  for (let c = 0; c < 6; c++) for (let i = 0; i < 6 * 2 ** (5 - c); i++) items.push({ index: k++, classes: [c] });
  items.push({ index: k++, classes: [6] });
  items.push({ index: k++, classes: [] }); // unlabelled, never selected

  it('keeps about f of every class, at least one per class present, seeded', () => {
    const r = labelFraction(items, 0.1, 42);
    const per = (sel: number[], c: number): number => sel.filter((i) => items[i].classes[0] === c).length;
    for (let c = 0; c < 6; c++) {
      const n = 6 * 2 ** (5 - c);
      expect(per(r.labelled, c)).toBe(Math.max(1, Math.round(0.1 * n)));
    }
    expect(per(r.labelled, 6)).toBe(1);
    expect(r.labelled).not.toContain(items.length - 1);
    expect(r.labelled.length + r.unlabelled.length).toBe(items.length);
    expect(new Set([...r.labelled, ...r.unlabelled]).size).toBe(items.length);
    expect(labelFraction(items, 0.1, 42)).toEqual(r);
    expect(labelFraction(items, 0.1, 43).labelled).not.toEqual(r.labelled);
    expect(labelFraction(items, 1, 1).labelled.length).toBe(items.length - 1);
    // Nested budgets: what 5 % keeps, 10 % and 50 % keep too.
    const small = labelFraction(items, 0.05, 42).labelled;
    const large = new Set(labelFraction(items, 0.5, 42).labelled);
    for (const i of small) expect(r.labelled).toContain(i);
    for (const i of r.labelled) expect(large.has(i)).toBe(true);
    expect(() => labelFraction(items, 0, 1)).toThrow(/label fraction/);
  });

  it('covers every class of multi-label items, rare classes first', () => {
    const multi: LabelledItem[] = Array.from({ length: 100 }, (_, i) => ({ index: i, classes: i % 25 === 0 ? [0, 9] : i % 2 ? [0, 1] : [0, 2] }));
    const r = labelFraction(multi, 0.05, 3);
    const covered = new Set(r.labelled.flatMap((i) => multi[i].classes));
    expect([...covered].sort()).toEqual([0, 1, 2, 9]);
    expect(r.labelled.length).toBeLessThanOrEqual(8);
  });
});

describe('label fraction on a dataset', () => {
  let dir: string;
  let fx: BengeFixture;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tf-split-'));
    fx = writeBengeFixture(join(dir, 'mini'), { patches: 30, seed: 1 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('selects labelled training patches stratified by lulc; the rest of train stays unlabelled', async () => {
    const ds = await PatchDataset.open(fx.root, { cacheDir: join(dir, 'cache') });
    const train = ds.indices({ split: 'train' });
    expect(train.length).toBe(18);
    const r = ds.labelFraction(0.2, 5, 'lulc');
    expect([...r.labelled, ...r.unlabelled].sort((a, b) => a - b)).toEqual(train);
    const classesInTrain = new Set(train.map((i) => ds.classesOf(i, 'lulc')[0]));
    const classesKept = new Set(r.labelled.map((i) => ds.classesOf(i, 'lulc')[0]));
    expect(classesKept).toEqual(classesInTrain);
  });
});
