/**
 * The one image type of the render core: 8-bit RGBA, row-major, top row first (the order GeoTIFF rows and PNG rows
 * share, so a patch's pixel (row, col) is the image's pixel (row, col)). Alpha 0 marks nodata.
 */
export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes: R, G, B, A per pixel. */
  data: Uint8ClampedArray;
}

export function createImage(width: number, height: number): RgbaImage {
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new RangeError(`image size must be positive integers, got ${width} x ${height}`);
  }
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}

/** [r, g, b] of a '#rrggbb' colour. */
export function parseHexColor(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

export function toHexColor(rgb: readonly [number, number, number]): string {
  return `#${rgb.map((v) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, '0')).join('')}`;
}

/** The RGBA bytes of pixel (row, col). */
export function pixelAt(image: RgbaImage, row: number, col: number): [number, number, number, number] {
  const o = (row * image.width + col) * 4;
  const d = image.data;
  return [d[o], d[o + 1], d[o + 2], d[o + 3]];
}
