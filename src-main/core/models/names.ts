/**
 * Layer naming. Every layer a builder creates is named `${prefix}${sep}${part}` so that a whole sub-network (one
 * backbone, one head) can be found by prefix — for freezing, transfer and the "one backbone per modality" check —
 * and so that two copies of a backbone in one model (late fusion) never collide. tfjs weight names are
 * `${layerName}/${weight}`, so the separator must not be '/'.
 */
export const NAME_SEP = '__';

export function scoped(prefix: string, part: string): string {
  return prefix ? `${prefix}${NAME_SEP}${part}` : part;
}

/** Whether a layer name belongs to the sub-network named `prefix`. */
export function inScope(layerName: string, prefix: string): boolean {
  return layerName.startsWith(`${prefix}${NAME_SEP}`);
}
