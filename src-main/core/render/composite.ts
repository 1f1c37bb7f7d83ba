/**
 * Three bands as red, green and blue, each stretched on its own (QGIS's default for multiband colour). A pixel is
 * transparent where any channel is not finite or the validity mask says nodata.
 */
import { createImage, type RgbaImage } from './image';
import { scaleToByte, stretchRange, type Stretch, type ValueRange } from './stretch';

export interface CompositeResult {
  image: RgbaImage;
  /** The value range each channel was stretched over (R, G, B); null for a channel without valid pixels. */
  ranges: [ValueRange, ValueRange, ValueRange];
}

export function renderComposite(
  channels: readonly [Float32Array, Float32Array, Float32Array],
  width: number,
  height: number,
  stretch: Stretch,
  /** 1 = valid, 0 = nodata (transparent and left out of the stretch statistics). */
  mask?: Uint8Array,
): CompositeResult {
  const n = width * height;
  for (const c of channels) if (c.length !== n) throw new RangeError(`channel of ${c.length} values for a ${width} x ${height} image`);
  if (mask && mask.length !== n) throw new RangeError(`mask of ${mask.length} values for a ${width} x ${height} image`);
  const ranges = channels.map((c, k) => stretchRange(c, stretch, mask, k)) as CompositeResult['ranges'];
  const image = createImage(width, height);
  const out = image.data;
  const [r, g, b] = channels;
  const [rr, gr, br] = ranges;
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    const vr = r[i];
    const vg = g[i];
    const vb = b[i];
    if ((mask && mask[i] === 0) || !Number.isFinite(vr) || !Number.isFinite(vg) || !Number.isFinite(vb) || !rr || !gr || !br) continue;
    out[o] = scaleToByte(vr, rr[0], rr[1]);
    out[o + 1] = scaleToByte(vg, gr[0], gr[1]);
    out[o + 2] = scaleToByte(vb, br[0], br[1]);
    out[o + 3] = 255;
  }
  return { image, ranges };
}
