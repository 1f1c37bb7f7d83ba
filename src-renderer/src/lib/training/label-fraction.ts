/**
 * How many labelled patches a label fraction means. The data layer (core/data/splits.ts `labelFraction`) draws a
 * class-stratified subset of the training split: every class keeps round(f · n_class) of its patches, at least
 * one. For a single-label target with known per-class counts of the training split that count is exact; otherwise
 * it is estimated from the training split's size.
 */

export interface LabelledEstimate {
  /** Labelled training patches the run will use. */
  count: number;
  /** Training patches the fraction is taken of. */
  of: number;
  /** True when `count` is what the data layer will select (per-class rule on known class counts). */
  exact: boolean;
}

/** The stratified rule on per-class counts of the training split (classes with no patch add nothing). */
export function stratifiedCount(fraction: number, classCounts: readonly number[]): number {
  if (!(fraction > 0 && fraction <= 1)) return 0;
  let total = 0;
  for (const n of classCounts) if (n > 0) total += Math.max(1, Math.round(fraction * n));
  return total;
}

/**
 * `classCounts` are per-class counts of the training split for the stratifying target; `exact` says whether they
 * are that target's own (else they are a proxy, e.g. the dominant class for a WorldCover mask target, whose
 * patches the data layer groups by their rarest class: still at least one patch per class present).
 */
export function estimateLabelled(fraction: number, train: number, classCounts?: readonly number[], exact = true): LabelledEstimate {
  if (classCounts && classCounts.some((n) => n > 0)) {
    const of = classCounts.reduce((a, b) => a + b, 0);
    return { count: stratifiedCount(fraction, classCounts), of, exact };
  }
  if (train <= 0 || !(fraction > 0)) return { count: 0, of: Math.max(0, train), exact: false };
  return { count: Math.min(train, Math.max(1, Math.round(fraction * train))), of: train, exact: false };
}

/**
 * Per-class counts of the training split from the dataset index's columns (split code 0 = train; class 255 =
 * unknown, skipped). `classes` is the number of classes of the column.
 */
export function trainClassCounts(split: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  const n = Math.min(split.length, labels.length);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (split[i] === 0 && c >= 0 && c < classes) counts[c] += 1;
  }
  return counts;
}

/** "115 labelled patches" / "≈ 115 labelled patches" with the training split's size. */
export function describeLabelled(e: LabelledEstimate): string {
  const n = e.count.toLocaleString('en-US');
  return `${e.exact ? '' : '≈ '}${n} labelled patch${e.count === 1 ? '' : 'es'} of ${e.of.toLocaleString('en-US')}`;
}
