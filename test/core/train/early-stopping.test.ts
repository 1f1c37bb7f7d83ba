import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../../src-main/core/train/early-stopping';

describe('EarlyStopping', () => {
  it('tracks the best epoch and stops after `patience` epochs without improvement (max mode)', () => {
    const es = new EarlyStopping({ patience: 2, mode: 'max' });
    const seq = [0.5, 0.6, 0.55, 0.6, 0.59];
    const out = seq.map((v, i) => es.update(i, v));
    expect(out.map((o) => o.improved)).toEqual([true, true, false, false, false]);
    expect(out.map((o) => o.stop)).toEqual([false, false, false, false, true]);
    expect(es.best).toEqual({ value: 0.6, epoch: 1 });
  });

  it('min mode, minDelta and NaN', () => {
    const es = new EarlyStopping({ patience: 10, mode: 'min', minDelta: 0.01 });
    expect(es.update(0, 1).improved).toBe(true);
    expect(es.update(1, 0.995).improved).toBe(false);
    expect(es.update(2, Number.NaN).improved).toBe(false);
    expect(es.update(3, 0.5).improved).toBe(true);
    expect(es.best).toEqual({ value: 0.5, epoch: 3 });
  });
});
