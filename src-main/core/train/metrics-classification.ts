import { IGNORE_INDEX } from '../data/modalities';

/**
 * Single-label metrics (patch classification and per-pixel segmentation) from a confusion matrix, following
 * scikit-learn with zero_division=0:
 * - per-class precision, recall, F1 and IoU (sklearn's jaccard_score) over all k classes; a class with an empty
 *   denominator gets 0;
 * - macro averages over the classes present in y_true or y_pred (sklearn's labels=None): a class that never occurs
 *   in either does not drag the mean down, one that is only predicted counts with precision 0 and F1 0;
 * - micro F1 (= accuracy for single-label data) and micro IoU (sum tp / sum (tp + fp + fn)); weighted F1 by support;
 * - entries whose y_true is the ignore index are skipped; an empty matrix gives NaN for every rate.
 */

export class ConfusionMatrix {
  /** counts[t * k + p]: samples of true class t predicted as p. Float64 so that pixel counts never overflow. */
  readonly counts: Float64Array;

  constructor(
    readonly classes: number,
    readonly ignoreIndex: number = IGNORE_INDEX,
  ) {
    if (!(classes >= 1 && Number.isInteger(classes))) throw new Error(`ConfusionMatrix: bad class count ${classes}`);
    this.counts = new Float64Array(classes * classes);
  }

  /** Adds predicted class indices. Throws on a label outside [0, k) that is not the ignore index. */
  add(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
    if (yTrue.length !== yPred.length) throw new Error(`ConfusionMatrix: ${yTrue.length} labels, ${yPred.length} predictions`);
    const k = this.classes;
    for (let i = 0; i < yTrue.length; i++) {
      const t = yTrue[i];
      if (t === this.ignoreIndex) continue;
      const p = yPred[i];
      if (!(t >= 0 && t < k && Number.isInteger(t))) throw new Error(`ConfusionMatrix: label ${t} outside 0..${k - 1}`);
      if (!(p >= 0 && p < k && Number.isInteger(p))) throw new Error(`ConfusionMatrix: prediction ${p} outside 0..${k - 1}`);
      this.counts[t * k + p]++;
    }
  }

  /** Adds raw scores (logits or probabilities), [yTrue.length, k] row-major; the prediction is the argmax. */
  addScores(yTrue: ArrayLike<number>, scores: ArrayLike<number>): void {
    const k = this.classes;
    if (scores.length !== yTrue.length * k) {
      throw new Error(`ConfusionMatrix: ${scores.length} scores for ${yTrue.length} labels of ${k} classes`);
    }
    const k2 = this.counts;
    for (let i = 0; i < yTrue.length; i++) {
      const t = yTrue[i];
      if (t === this.ignoreIndex) continue;
      if (!(t >= 0 && t < k && Number.isInteger(t))) throw new Error(`ConfusionMatrix: label ${t} outside 0..${k - 1}`);
      let best = 0;
      let bestScore = scores[i * k];
      for (let c = 1; c < k; c++) {
        const s = scores[i * k + c];
        if (s > bestScore) {
          best = c;
          bestScore = s;
        }
      }
      k2[t * k + best]++;
    }
  }

  get total(): number {
    let s = 0;
    for (const v of this.counts) s += v;
    return s;
  }

  /** Rows = true class, columns = predicted class (sklearn's confusion_matrix layout). */
  toRows(): number[][] {
    const k = this.classes;
    return Array.from({ length: k }, (_, t) => Array.from(this.counts.subarray(t * k, (t + 1) * k)));
  }
}

export interface ClassificationMetrics {
  accuracy: number;
  f1_macro: number;
  f1_micro: number;
  f1_weighted: number;
  precision_macro: number;
  recall_macro: number;
  iou_macro: number;
  iou_micro: number;
  precision_per_class: number[];
  recall_per_class: number[];
  f1_per_class: number[];
  iou_per_class: number[];
  /** True samples per class. */
  support: number[];
  /** Rows = true class, columns = predicted class. */
  confusion: number[][];
}

/** a / b, or 0 when b is 0 (sklearn's zero_division=0). */
export function safeDiv(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function classificationMetrics(cm: ConfusionMatrix): ClassificationMetrics {
  const k = cm.classes;
  const tp = new Array<number>(k).fill(0);
  const support = new Array<number>(k).fill(0); // tp + fn (row sums)
  const predicted = new Array<number>(k).fill(0); // tp + fp (column sums)
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const v = cm.counts[t * k + p];
      support[t] += v;
      predicted[p] += v;
      if (t === p) tp[t] += v;
    }
  }
  const total = support.reduce((a, b) => a + b, 0);
  const precision = tp.map((v, c) => safeDiv(v, predicted[c]));
  const recall = tp.map((v, c) => safeDiv(v, support[c]));
  const f1 = tp.map((v, c) => safeDiv(2 * v, support[c] + predicted[c]));
  const iou = tp.map((v, c) => safeDiv(v, support[c] + predicted[c] - v));
  const present = tp.map((_, c) => c).filter((c) => support[c] > 0 || predicted[c] > 0);
  const pick = (xs: number[]) => present.map((c) => xs[c]);
  const tpSum = tp.reduce((a, b) => a + b, 0);
  const empty = total === 0;
  return {
    accuracy: empty ? Number.NaN : tpSum / total,
    f1_macro: mean(pick(f1)),
    // Single-label: micro precision = micro recall = micro F1 = accuracy.
    f1_micro: empty ? Number.NaN : tpSum / total,
    f1_weighted: empty ? Number.NaN : f1.reduce((s, v, c) => s + v * support[c], 0) / total,
    precision_macro: mean(pick(precision)),
    recall_macro: mean(pick(recall)),
    iou_macro: mean(pick(iou)),
    iou_micro: empty ? Number.NaN : tpSum / (2 * total - tpSum),
    precision_per_class: precision,
    recall_per_class: recall,
    f1_per_class: f1,
    iou_per_class: iou,
    support,
    confusion: cm.toRows(),
  };
}

/** Convenience: metrics of predicted class indices in one call. */
export function multiclassMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classes: number,
  ignoreIndex: number = IGNORE_INDEX,
): ClassificationMetrics {
  const cm = new ConfusionMatrix(classes, ignoreIndex);
  cm.add(yTrue, yPred);
  return classificationMetrics(cm);
}
