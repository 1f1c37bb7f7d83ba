import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConfusionMatrix,
  classificationMetrics,
  createTaskMetrics,
  multiclassMetrics,
  MultilabelCounts,
  multilabelMetrics,
  RegressionStats,
  type ClassificationMetrics,
  type MultilabelMetrics,
} from '../../../src-main/core/train/metrics';

/*
 * Expected values come from scikit-learn: test/fixtures/sklearn/make_expected.py computed them once with Debian's
 * python3-sklearn (its version is recorded in the JSON) from seeded inputs, and wrote both to expected.json. The
 * metrics below must reproduce them; the conventions (ignore index, labels=None macro averages, zero_division=0,
 * subset accuracy for multi-label) are listed in that script.
 */
interface Fixture {
  sklearn_version: string;
  multiclass: { classes: number; y_true: number[]; y_pred: number[]; expected: ClassificationMetrics };
  segmentation: { classes: number; shape: number[]; y_true: number[]; logits: number[]; y_pred: number[]; expected: ClassificationMetrics };
  multilabel: { classes: number; threshold: number; y_true: number[]; logits: number[]; y_pred: number[]; expected: MultilabelMetrics };
  regression: { y_true: (number | null)[]; y_pred: number[]; expected: { mae: number; mse: number; rmse: number; r2: number } };
  regression_constant: {
    y_true: number[];
    y_pred_perfect: number[];
    y_pred_off: number[];
    expected: { r2_perfect: number; r2_off: number };
  };
}

const fx = JSON.parse(readFileSync(new URL('../../fixtures/sklearn/expected.json', import.meta.url), 'utf8')) as Fixture;

function expectClose(actual: Record<string, unknown>, expected: Record<string, unknown>, keys: string[]): void {
  for (const k of keys) {
    const a = actual[k];
    const e = expected[k];
    if (Array.isArray(e)) {
      expect((a as number[]).length, k).toBe(e.length);
      (e as unknown[]).forEach((v, i) => {
        if (Array.isArray(v)) expect((a as number[][])[i], `${k}[${i}]`).toEqual(v);
        else expect((a as number[])[i], `${k}[${i}]`).toBeCloseTo(v as number, 12);
      });
    } else {
      expect(a as number, k).toBeCloseTo(e as number, 12);
    }
  }
}

const SINGLE_LABEL_KEYS = [
  'accuracy', 'f1_macro', 'f1_micro', 'f1_weighted', 'precision_macro', 'recall_macro', 'iou_macro', 'iou_micro',
  'precision_per_class', 'recall_per_class', 'f1_per_class', 'iou_per_class', 'support', 'confusion',
];

describe(`metrics against scikit-learn ${fx.sklearn_version}`, () => {
  it('multiclass with ignored labels, an absent class and a class that is only predicted', () => {
    const c = fx.multiclass;
    const m = multiclassMetrics(Int32Array.from(c.y_true), Int32Array.from(c.y_pred), c.classes);
    expectClose(m as unknown as Record<string, unknown>, c.expected as unknown as Record<string, unknown>, SINGLE_LABEL_KEYS);
    // The fixture really exercises the conventions: class 5 absent (excluded from macro), 6 only predicted (0).
    expect(m.support[5] + m.confusion.reduce((s, r) => s + r[5], 0)).toBe(0);
    expect(m.support[6]).toBe(0);
    expect(m.f1_per_class[6]).toBe(0);
  });

  it('segmentation from logits, streamed in batches, with a nodata border', () => {
    const c = fx.segmentation;
    const per = c.shape[1] * c.shape[2];
    const metrics = createTaskMetrics('segmentation', c.classes);
    for (let b = 0; b < c.shape[0]; b++) {
      metrics.add(
        Int32Array.from(c.y_true.slice(b * per, (b + 1) * per)),
        Float32Array.from(c.logits.slice(b * per * c.classes, (b + 1) * per * c.classes)),
      );
    }
    expectClose(metrics.details() as unknown as Record<string, unknown>, c.expected as unknown as Record<string, unknown>, SINGLE_LABEL_KEYS);
    const r = metrics.result();
    expect(Object.keys(r)).toEqual(['accuracy', 'iou_macro', 'iou_micro', 'f1_macro', 'f1_micro', 'precision_macro', 'recall_macro']);
    expect(r.iou_macro).toBeCloseTo(c.expected.iou_macro, 12);
  });

  it('multi-label from logits with a threshold, an empty label column, empty rows and ignored rows', () => {
    const c = fx.multilabel;
    const keys = [
      'accuracy', 'f1_macro', 'f1_micro', 'f1_samples', 'precision_macro', 'recall_macro', 'precision_micro',
      'recall_micro', 'precision_per_class', 'recall_per_class', 'f1_per_class', 'support',
    ];
    const fromLogits = createTaskMetrics('multilabel', c.classes, { threshold: c.threshold });
    fromLogits.add(Float32Array.from(c.y_true), Float32Array.from(c.logits));
    expectClose(fromLogits.details() as unknown as Record<string, unknown>, c.expected as unknown as Record<string, unknown>, keys);
    const counts = new MultilabelCounts(c.classes);
    counts.add(c.y_true, c.y_pred);
    expectClose(multilabelMetrics(counts) as unknown as Record<string, unknown>, c.expected as unknown as Record<string, unknown>, keys);
    expect(counts.samples).toBe(c.y_true.length / c.classes - 2);
  });

  it('regression with NaN targets, in batches', () => {
    const c = fx.regression;
    const yTrue = Float32Array.from(c.y_true.map((v) => (v === null ? Number.NaN : v)));
    const yPred = Float32Array.from(c.y_pred);
    const metrics = createTaskMetrics('regression', 1);
    metrics.add(yTrue.subarray(0, 50), yPred.subarray(0, 50));
    metrics.add(yTrue.subarray(50), yPred.subarray(50));
    const r = metrics.result();
    for (const k of ['mae', 'mse', 'rmse', 'r2'] as const) expect(r[k], k).toBeCloseTo(c.expected[k], 6);
  });

  it('R² of a constant target follows r2_score (1 if perfect, else 0)', () => {
    const c = fx.regression_constant;
    const perfect = new RegressionStats();
    perfect.add(c.y_true, c.y_pred_perfect);
    expect(perfect.result().r2).toBe(c.expected.r2_perfect);
    const off = new RegressionStats();
    off.add(c.y_true, c.y_pred_off);
    expect(off.result().r2).toBe(c.expected.r2_off);
  });
});

describe('metric edge cases', () => {
  it('an empty or fully ignored evaluation gives NaN rates, not a fake 0 or 1', () => {
    const cm = new ConfusionMatrix(3);
    cm.add(Int32Array.from([-1, -1]), Int32Array.from([0, 2]));
    const m = classificationMetrics(cm);
    expect(cm.total).toBe(0);
    expect(m.accuracy).toBeNaN();
    expect(m.f1_macro).toBeNaN();
    expect(m.iou_macro).toBeNaN();
    expect(new RegressionStats().result().r2).toBeNaN();
  });

  it('rejects labels and predictions outside the class range', () => {
    expect(() => multiclassMetrics([0, 3], [0, 1], 3)).toThrow(/label 3/);
    expect(() => multiclassMetrics([0, 1], [0, 5], 3)).toThrow(/prediction 5/);
    expect(() => createTaskMetrics('classification', 3).add([0], [0.1, 0.2])).toThrow(/2 scores/);
  });

  it('a perfect segmentation has IoU 1 for every present class', () => {
    const m = multiclassMetrics([0, 0, 2, 2, -1], [0, 0, 2, 2, 1], 4);
    expect(m.iou_macro).toBe(1);
    expect(m.iou_per_class).toEqual([1, 0, 1, 0]);
    expect(m.accuracy).toBe(1);
  });
});
