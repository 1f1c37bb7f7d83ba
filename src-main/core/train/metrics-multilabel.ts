import { IGNORE_INDEX } from '../data/modalities';
import { safeDiv } from './metrics-classification';

/**
 * Multi-label metrics on label-indicator arrays ([n, labels], 0/1), following scikit-learn with zero_division=0:
 * - accuracy is subset accuracy (every label of a sample right), as sklearn's accuracy_score on indicator arrays;
 * - micro: pooled tp/fp/fn over all labels; macro: mean over ALL label columns (sklearn does not drop absent labels
 *   for indicator input, so a label never true nor predicted contributes 0); samples: mean of per-sample F1;
 * - a sample whose y_true row contains the ignore index is skipped entirely.
 */

export interface MultilabelMetrics {
  accuracy: number;
  f1_macro: number;
  f1_micro: number;
  f1_samples: number;
  precision_macro: number;
  recall_macro: number;
  precision_micro: number;
  recall_micro: number;
  precision_per_class: number[];
  recall_per_class: number[];
  f1_per_class: number[];
  support: number[];
}

export class MultilabelCounts {
  readonly tp: Float64Array;
  readonly fp: Float64Array;
  readonly fn: Float64Array;
  samples = 0;
  exact = 0;
  f1SampleSum = 0;

  constructor(
    readonly labels: number,
    readonly ignoreIndex: number = IGNORE_INDEX,
  ) {
    this.tp = new Float64Array(labels);
    this.fp = new Float64Array(labels);
    this.fn = new Float64Array(labels);
  }

  /** Adds 0/1 predictions, both [n, labels] row-major. */
  add(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
    this.addWith(yTrue, yPred.length, (i) => yPred[i] !== 0);
  }

  /**
   * Adds raw logits, [n, labels]: a label is predicted when sigmoid(logit) > threshold (default 0.5, i.e. logit > 0).
   */
  addLogits(yTrue: ArrayLike<number>, logits: ArrayLike<number>, threshold = 0.5): void {
    if (!(threshold > 0 && threshold < 1)) throw new Error(`threshold must be in (0, 1), got ${threshold}`);
    this.addWith(yTrue, logits.length, (i) => 1 / (1 + Math.exp(-logits[i])) > threshold);
  }

  private addWith(yTrue: ArrayLike<number>, predLength: number, predicted: (i: number) => boolean): void {
    const L = this.labels;
    if (yTrue.length !== predLength || yTrue.length % L !== 0) {
      throw new Error(`MultilabelCounts: ${yTrue.length} labels and ${predLength} predictions for ${L} labels per sample`);
    }
    for (let s = 0; s < yTrue.length / L; s++) {
      const o = s * L;
      let skip = false;
      for (let c = 0; c < L; c++) if (yTrue[o + c] === this.ignoreIndex) skip = true;
      if (skip) continue;
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let c = 0; c < L; c++) {
        const t = yTrue[o + c] !== 0;
        const p = predicted(o + c);
        if (t && p) this.tp[c]++, tp++;
        else if (p) this.fp[c]++, fp++;
        else if (t) this.fn[c]++, fn++;
      }
      this.samples++;
      if (fp === 0 && fn === 0) this.exact++;
      this.f1SampleSum += safeDiv(2 * tp, 2 * tp + fp + fn);
    }
  }
}

export function multilabelMetrics(m: MultilabelCounts): MultilabelMetrics {
  const L = m.labels;
  const idx = Array.from({ length: L }, (_, c) => c);
  const precision = idx.map((c) => safeDiv(m.tp[c], m.tp[c] + m.fp[c]));
  const recall = idx.map((c) => safeDiv(m.tp[c], m.tp[c] + m.fn[c]));
  const f1 = idx.map((c) => safeDiv(2 * m.tp[c], 2 * m.tp[c] + m.fp[c] + m.fn[c]));
  const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);
  const tp = sum(m.tp);
  const fp = sum(m.fp);
  const fn = sum(m.fn);
  const mean = (xs: number[]) => sum(xs) / L;
  const empty = m.samples === 0;
  return {
    accuracy: empty ? Number.NaN : m.exact / m.samples,
    f1_macro: empty ? Number.NaN : mean(f1),
    f1_micro: empty ? Number.NaN : safeDiv(2 * tp, 2 * tp + fp + fn),
    f1_samples: empty ? Number.NaN : m.f1SampleSum / m.samples,
    precision_macro: empty ? Number.NaN : mean(precision),
    recall_macro: empty ? Number.NaN : mean(recall),
    precision_micro: empty ? Number.NaN : safeDiv(tp, tp + fp),
    recall_micro: empty ? Number.NaN : safeDiv(tp, tp + fn),
    precision_per_class: precision,
    recall_per_class: recall,
    f1_per_class: f1,
    support: idx.map((c) => m.tp[c] + m.fn[c]),
  };
}
