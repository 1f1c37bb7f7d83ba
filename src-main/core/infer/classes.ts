import { BEN19_CLASSES, BEN43_CLASSES } from '../data/bigearthnet-nomenclature';
import { KOPPEN_CLASSES, TARGETS, WORLDCOVER_CLASSES, type TargetId } from '../data/modalities';

/** Class names of a target's outputs, in output order (empty for regression targets). */
export function classNamesOf(target: TargetId): string[] {
  switch (target) {
    case 'lulc':
    case 'landcover':
    case 'worldcover':
      return WORLDCOVER_CLASSES.map((c) => c.name);
    case 'climatezone':
      return [...KOPPEN_CLASSES];
    case 'ben19':
      return [...BEN19_CLASSES];
    case 'ben43':
      return [...BEN43_CLASSES];
    case 'season':
      return [];
  }
}

/** Sanity check used by tests and writers: the vocabulary agrees with the target's class count. */
export function checkClassNames(target: TargetId): void {
  const n = classNamesOf(target).length;
  const want = TARGETS[target].kind === 'scalar' ? 0 : TARGETS[target].classes;
  if (n !== want) throw new Error(`target ${target}: ${n} class names for ${want} outputs`);
}
