import { decode } from 'fast-png';

/** An RGBA image decoded from a Playwright PNG screenshot. */
export interface Rgba {
  width: number;
  height: number;
  /** 4 bytes per pixel, row-major. */
  data: Uint8Array;
}

export function decodePng(png: Buffer): Rgba {
  const img = decode(png);
  if (img.depth !== 8) throw new Error(`expected an 8-bit screenshot, got ${img.depth}-bit`);
  const n = img.width * img.height;
  const data = new Uint8Array(n * 4);
  const c = img.channels;
  const src = img.data;
  for (let i = 0; i < n; i++) {
    data[i * 4] = src[i * c];
    data[i * 4 + 1] = src[i * c + 1];
    data[i * 4 + 2] = src[i * c + 2];
    data[i * 4 + 3] = c === 4 ? src[i * c + 3] : 255;
  }
  return { width: img.width, height: img.height, data };
}

export type Rgb = readonly [number, number, number];

export function pixelAt(img: Rgba, x: number, y: number): Rgb {
  const i = (Math.round(y) * img.width + Math.round(x)) * 4;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}

/** Same colour up to `tolerance` per channel (screenshots of a canvas are exact; a little slack for dithering). */
export function near(a: Rgb, b: Rgb, tolerance = 3): boolean {
  return Math.abs(a[0] - b[0]) <= tolerance && Math.abs(a[1] - b[1]) <= tolerance && Math.abs(a[2] - b[2]) <= tolerance;
}

/** Share of the pixels in a (2r+1)² square around (x, y) that have the colour. */
export function shareAround(img: Rgba, x: number, y: number, colour: Rgb, r = 2): number {
  let hit = 0;
  let all = 0;
  for (let dy = -r; dy <= r; dy++)
    for (let dx = -r; dx <= r; dx++) {
      all++;
      if (near(pixelAt(img, x + dx, y + dy), colour)) hit++;
    }
  return hit / all;
}

/** Share of the whole image in the colour. */
export function share(img: Rgba, colour: Rgb): number {
  let hit = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const px: Rgb = [img.data[i * 4], img.data[i * 4 + 1], img.data[i * 4 + 2]];
    if (near(px, colour)) hit++;
  }
  return hit / n;
}

/** Number of exact colours that each cover at least `minPixels` pixels (ignores anti-aliasing dust). */
export function distinctColours(img: Rgba, minPixels = 20): number {
  const counts = new Map<number, number>();
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const key = (img.data[i * 4] << 16) | (img.data[i * 4 + 1] << 8) | img.data[i * 4 + 2];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let k = 0;
  for (const c of counts.values()) if (c >= minPixels) k++;
  return k;
}
