/**
 * ESA WorldCover class maps in ESA's official class colours (modalities.ts), nodata transparent.
 */
import { WORLDCOVER_CLASSES } from '../data/modalities';
import { createImage, parseHexColor, type RgbaImage } from './image';

const CLASS_RGB: readonly [number, number, number][] = WORLDCOVER_CLASSES.map((c) => parseHexColor(c.color));

/**
 * `classes`: class indices 0..10 in WORLDCOVER_CLASSES order (the data layer's decoding); anything else
 * (IGNORE_INDEX for nodata, unknown codes) is transparent.
 */
export function renderWorldCover(classes: ArrayLike<number>, width: number, height: number): RgbaImage {
  if (classes.length !== width * height) throw new RangeError(`class map of ${classes.length} values for a ${width} x ${height} image`);
  const image = createImage(width, height);
  const out = image.data;
  for (let i = 0, o = 0; i < classes.length; i++, o += 4) {
    const rgb = CLASS_RGB[classes[i]];
    if (!rgb) continue;
    out[o] = rgb[0];
    out[o + 1] = rgb[1];
    out[o + 2] = rgb[2];
    out[o + 3] = 255;
  }
  return image;
}

/** Pixel count of each class (WORLDCOVER_CLASSES order) and of pixels without a class. */
export function worldCoverCounts(classes: ArrayLike<number>): { counts: number[]; nodata: number } {
  const counts = new Array<number>(WORLDCOVER_CLASSES.length).fill(0);
  let nodata = 0;
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    if (c >= 0 && c < counts.length && Number.isInteger(c)) counts[c]++;
    else nodata++;
  }
  return { counts, nodata };
}
