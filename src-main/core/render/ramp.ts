/**
 * Colour ramps: colours at stop values, linearly interpolated in RGB between stops and clamped beyond the ends.
 */
import { parseHexColor } from './image';

export interface RampStop {
  value: number;
  /** '#rrggbb' */
  color: string;
}

export interface ColorRamp {
  name: string;
  stops: readonly RampStop[];
}

/**
 * NDVI: bare soil and built-up brown, sparse or senescent vegetation yellow, dense green vegetation dark green.
 * Water (negative NDVI) takes the darkest brown end; the stop values follow common NDVI class breaks (< 0.1 bare,
 * 0.2-0.5 sparse to moderate, > 0.6 dense canopy).
 */
export const NDVI_RAMP: ColorRamp = {
  name: 'ndvi',
  stops: [
    { value: -0.2, color: '#6b3e10' },
    { value: 0.1, color: '#b5874f' },
    { value: 0.3, color: '#f2e14b' },
    { value: 0.55, color: '#7cc453' },
    { value: 0.8, color: '#1f7a2e' },
    { value: 1.0, color: '#0b4619' },
  ],
};

/** A ramp compiled for fast lookup. */
export interface CompiledRamp {
  values: Float64Array;
  rgb: Uint8Array;
}

export function compileRamp(ramp: ColorRamp): CompiledRamp {
  if (ramp.stops.length === 0) throw new Error(`ramp ${ramp.name} has no stops`);
  for (let k = 1; k < ramp.stops.length; k++) {
    if (!(ramp.stops[k].value > ramp.stops[k - 1].value)) throw new Error(`ramp ${ramp.name}: stop values must increase`);
  }
  const values = Float64Array.from(ramp.stops.map((s) => s.value));
  const rgb = new Uint8Array(ramp.stops.length * 3);
  ramp.stops.forEach((s, k) => rgb.set(parseHexColor(s.color), k * 3));
  return { values, rgb };
}

/** The colour of `v` on the ramp into out[o..o+2]. */
export function rampColor(ramp: CompiledRamp, v: number, out: Uint8ClampedArray | Uint8Array, o: number): void {
  const { values, rgb } = ramp;
  const last = values.length - 1;
  let k: number;
  if (v <= values[0]) k = -1;
  else if (v >= values[last]) k = last;
  else {
    k = 0;
    while (v >= values[k + 1]) k++;
  }
  if (k < 0 || k === last) {
    const s = (k < 0 ? 0 : last) * 3;
    out[o] = rgb[s];
    out[o + 1] = rgb[s + 1];
    out[o + 2] = rgb[s + 2];
    return;
  }
  const t = (v - values[k]) / (values[k + 1] - values[k]);
  const a = k * 3;
  const b = a + 3;
  out[o] = Math.round(rgb[a] + (rgb[b] - rgb[a]) * t);
  out[o + 1] = Math.round(rgb[a + 1] + (rgb[b + 1] - rgb[a + 1]) * t);
  out[o + 2] = Math.round(rgb[a + 2] + (rgb[b + 2] - rgb[a + 2]) * t);
}

/** The ramp's own value domain [first stop, last stop]. */
export function rampDomain(ramp: ColorRamp): [number, number] {
  return [ramp.stops[0].value, ramp.stops[ramp.stops.length - 1].value];
}
