import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src-main/core/data/rng';
import { labelFraction } from '../../../src-main/core/data/splits';
import { describeLabelled, estimateLabelled, stratifiedCount, trainClassCounts } from '../../../src-renderer/src/lib/training/label-fraction';

/** The count under the label-fraction slider is what the data layer's stratified selection really picks. */

describe('labelled patch count', () => {
  it('equals the data layer selection for single-label targets', () => {
    const rng = createRng('label-fraction-ui');
    for (let trial = 0; trial < 30; trial++) {
      const classes = 2 + rng.int(10);
      const n = 20 + rng.int(400);
      // Skewed class frequencies, some classes empty.
      const items = Array.from({ length: n }, (_, index) => ({ index, classes: [Math.min(classes - 1, Math.floor(classes * rng.next() ** 2))] }));
      const counts = new Array<number>(classes).fill(0);
      for (const it of items) counts[it.classes[0]] += 1;
      for (const f of [0.01, 0.05, 0.1, 0.25, 0.5, 1]) {
        expect(stratifiedCount(f, counts), `f=${f} counts=${counts.join(',')}`).toBe(labelFraction(items, f, trial).labelled.length);
      }
    }
  });

  it('is estimated from the training split size without class counts', () => {
    expect(estimateLabelled(0.1, 160)).toEqual({ count: 16, of: 160, exact: false });
    expect(estimateLabelled(0.001, 160).count).toBe(1);
    expect(estimateLabelled(0.1, 0).count).toBe(0);
    expect(estimateLabelled(0.1, 160, [100, 50, 10])).toEqual({ count: 10 + 5 + 1, of: 160, exact: true });
    expect(describeLabelled({ count: 1234, of: 5000, exact: false })).toBe('≈ 1,234 labelled patches of 5,000');
    expect(describeLabelled({ count: 1, of: 8, exact: true })).toBe('1 labelled patch of 8');
  });

  it('counts training classes from the index columns (split 0 = train, 255 = unknown)', () => {
    const split = Uint8Array.from([0, 0, 1, 0, 2, 0]);
    const lulc = Uint8Array.from([3, 3, 3, 255, 1, 0]);
    expect(trainClassCounts(split, lulc, 4)).toEqual([1, 0, 0, 2]);
  });
});
