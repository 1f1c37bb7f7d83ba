/**
 * Splits and label fractions.
 *
 * Splits come from the dataset when it has them (ben-ge split CSVs, reBEN metadata); otherwise each patch is
 * assigned by a seeded hash of its id (default 80/10/10). Hashing the id, rather than shuffling a list, keeps a
 * patch in the same split when the dataset grows or is listed in a different order.
 *
 * `labelFraction` keeps a seeded, class-stratified subset of the labelled training patches: per class about
 * f * (patches of that class), at least one for every class present (when f > 0), each patch counted for one class
 * only (its rarest, for multi-label targets, so rare classes are served first). For a given seed the subsets are
 * nested: the patches kept at 5 % are among those kept at 10 %. The rest of the training split stays available,
 * unlabelled, for self-supervised pre-training.
 */
import { createRng } from './rng';
import type { SplitName } from './layouts/types';

export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

export const DEFAULT_SPLIT: SplitFractions = { train: 0.8, val: 0.1, test: 0.1 };

/** The split of a patch without a given one: deterministic in (seed, id). */
export function hashedSplit(id: string, seed: number | string, fractions: SplitFractions = DEFAULT_SPLIT): SplitName {
  const total = fractions.train + fractions.val + fractions.test;
  const u = createRng(`${seed}/split/${id}`).next() * total;
  if (u < fractions.train) return 'train';
  if (u < fractions.train + fractions.val) return 'val';
  return 'test';
}

/** Indices of each split; `given[i]` is the dataset's split of patch i (undefined = assign by hash). */
export function resolveSplits(ids: readonly string[], given: readonly (SplitName | undefined)[], seed: number | string, fractions: SplitFractions = DEFAULT_SPLIT): Record<SplitName, number[]> {
  const out: Record<SplitName, number[]> = { train: [], val: [], test: [] };
  const anyGiven = given.some((s) => s !== undefined);
  ids.forEach((id, i) => {
    const s = given[i];
    if (s) out[s].push(i);
    // With dataset splits, patches the split files do not list belong to no split (as in the dataset).
    else if (!anyGiven) out[hashedSplit(id, seed, fractions)].push(i);
  });
  return out;
}

export interface LabelledItem {
  index: number;
  /** Class indices of the item (one for single-label targets; empty = unlabelled, never selected). */
  classes: readonly number[];
}

export interface LabelFractionResult {
  labelled: number[];
  unlabelled: number[];
}

/**
 * Selects a class-stratified fraction `f` in (0, 1] of `items` with the seed. Deterministic for (items, f, seed);
 * the result lists indices in ascending order.
 */
export function labelFraction(items: readonly LabelledItem[], f: number, seed: number | string): LabelFractionResult {
  if (!(f > 0 && f <= 1)) throw new RangeError(`label fraction must be in (0, 1], got ${f}`);
  const labelled = items.filter((it) => it.classes.length > 0);
  const frequency = new Map<number, number>();
  for (const it of labelled) for (const c of it.classes) frequency.set(c, (frequency.get(c) ?? 0) + 1);
  // Each item joins the group of its rarest class (ties: lowest class index).
  const groups = new Map<number, number[]>();
  for (const it of labelled) {
    let best = it.classes[0];
    for (const c of it.classes) {
      const fc = frequency.get(c)!, fb = frequency.get(best)!;
      if (fc < fb || (fc === fb && c < best)) best = c;
    }
    groups.set(best, [...(groups.get(best) ?? []), it.index]);
  }
  // The permutations do not depend on f, so for one seed a smaller fraction is a subset of a larger one (nested
  // label budgets make label-efficiency curves comparable point to point).
  const rng = createRng(`${seed}/label-fraction`);
  const chosen = new Set<number>();
  for (const c of [...groups.keys()].sort((a, b) => a - b)) {
    const members = rng.fork(`class:${c}`).shuffle([...groups.get(c)!].sort((a, b) => a - b));
    const k = Math.max(1, Math.round(f * members.length));
    for (const i of members.slice(0, k)) chosen.add(i);
  }
  // Classes that only occur as a non-rarest label may still be missing: add one patch for each.
  const byIndex = new Map(labelled.map((it) => [it.index, it]));
  const covered = new Set<number>();
  for (const i of chosen) for (const c of byIndex.get(i)!.classes) covered.add(c);
  for (const c of [...frequency.keys()].sort((a, b) => a - b)) {
    if (covered.has(c)) continue;
    const candidates = labelled.filter((it) => it.classes.includes(c)).map((it) => it.index).sort((a, b) => a - b);
    const pick = rng.fork(`cover:${c}`).choice(candidates);
    chosen.add(pick);
    for (const k of byIndex.get(pick)!.classes) covered.add(k);
  }
  const sortedChosen = [...chosen].sort((a, b) => a - b);
  const unlabelled = items.map((it) => it.index).filter((i) => !chosen.has(i)).sort((a, b) => a - b);
  return { labelled: sortedChosen, unlabelled };
}
