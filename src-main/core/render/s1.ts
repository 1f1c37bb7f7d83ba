/**
 * Sentinel-1 dual-polarisation composite, the usual false-colour for VV/VH: red = VV, green = VH,
 * blue = VV/VH ratio, all in dB (the ratio in dB is VV_dB - VH_dB). Water is dark (low backscatter in both),
 * vegetation green-ish (volume scattering raises VH), built-up bright and bluish-white (strong VV, high ratio).
 */
import { renderComposite, type CompositeResult } from './composite';
import type { Stretch } from './stretch';

/** Inputs in dB. NaN (nodata) pixels become transparent. */
export function renderS1Composite(vvDb: Float32Array, vhDb: Float32Array, width: number, height: number, stretch: Stretch): CompositeResult {
  if (vvDb.length !== vhDb.length) throw new RangeError('VV and VH differ in length');
  const ratio = new Float32Array(vvDb.length);
  for (let i = 0; i < ratio.length; i++) ratio[i] = vvDb[i] - vhDb[i];
  return renderComposite([vvDb, vhDb, ratio], width, height, stretch);
}

/** Backscatter in dB of a linear power value (NaN for values <= 0). */
export function toDb(linear: number): number {
  return linear > 0 ? 10 * Math.log10(linear) : NaN;
}
