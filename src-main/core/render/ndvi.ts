/**
 * NDVI = (NIR - red) / (NIR + red), shown through a colour ramp. With the default (fixed) stretch the ramp's stops
 * are NDVI values, so the legend reads in NDVI; a percentile or min/max stretch instead spreads the ramp over the
 * patch's own value range (more contrast, but colours are no longer comparable between patches).
 */
import { createImage, type RgbaImage } from './image';
import { compileRamp, NDVI_RAMP, rampColor, rampDomain, type ColorRamp } from './ramp';
import { stretchRange, type Stretch, type ValueRange } from './stretch';

/** NDVI per pixel; NaN where NIR + red is 0 or either is not finite, or the mask says nodata. */
export function computeNdvi(nir: Float32Array, red: Float32Array, mask?: Uint8Array): Float32Array {
  if (nir.length !== red.length) throw new RangeError('NIR and red bands differ in length');
  const out = new Float32Array(nir.length);
  for (let i = 0; i < nir.length; i++) {
    const n = nir[i];
    const r = red[i];
    const s = n + r;
    out[i] = (mask && mask[i] === 0) || !Number.isFinite(s) || s === 0 ? NaN : (n - r) / s;
  }
  return out;
}

export interface RampRenderResult {
  image: RgbaImage;
  /** The value range the ramp was spread over (its own domain for the default, fixed stretch). */
  range: ValueRange;
}

/**
 * Colours a single band through a ramp. `stretch` undefined keeps the ramp's own stop values; otherwise the stops
 * are rescaled from the ramp's domain onto the stretch's range.
 */
export function renderRamp(values: Float32Array, width: number, height: number, ramp: ColorRamp, stretch?: Stretch): RampRenderResult {
  if (values.length !== width * height) throw new RangeError(`band of ${values.length} values for a ${width} x ${height} image`);
  const [d0, d1] = rampDomain(ramp);
  const range: ValueRange = stretch ? stretchRange(values, stretch) : [d0, d1];
  const compiled = compileRamp(ramp);
  const image = createImage(width, height);
  const out = image.data;
  if (!range) return { image, range };
  const [lo, hi] = range;
  // Value v sits at the same relative position in [lo, hi] as the ramp value u in [d0, d1].
  const k = hi > lo ? (d1 - d0) / (hi - lo) : 0;
  for (let i = 0, o = 0; i < values.length; i++, o += 4) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const u = hi > lo ? d0 + (v - lo) * k : (d0 + d1) / 2;
    rampColor(compiled, u, out, o);
    out[o + 3] = 255;
  }
  return { image, range };
}

export function renderNdvi(nir: Float32Array, red: Float32Array, width: number, height: number, stretch?: Stretch, mask?: Uint8Array): RampRenderResult {
  return renderRamp(computeNdvi(nir, red, mask), width, height, NDVI_RAMP, stretch);
}
