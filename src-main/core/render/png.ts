/** PNG encoding of rendered images (fast-png: pure JS, works in the main process, workers and tests alike). */
import { decode, encode } from 'fast-png';
import type { RgbaImage } from './image';

export function encodePng(image: RgbaImage): Uint8Array {
  return encode({ width: image.width, height: image.height, data: image.data, channels: 4, depth: 8 });
}

/** Decodes an 8-bit PNG back into RGBA (tests, and checking files found in a disk cache). */
export function decodePngRgba(bytes: Uint8Array): RgbaImage {
  const png = decode(bytes);
  if (png.depth !== 8) throw new Error(`expected an 8-bit PNG, got ${png.depth}-bit`);
  const n = png.width * png.height;
  const data = new Uint8ClampedArray(n * 4);
  const src = png.data;
  if (png.channels === 4) data.set(src);
  else if (png.channels === 3) {
    for (let i = 0; i < n; i++) {
      data[i * 4] = src[i * 3];
      data[i * 4 + 1] = src[i * 3 + 1];
      data[i * 4 + 2] = src[i * 3 + 2];
      data[i * 4 + 3] = 255;
    }
  } else throw new Error(`expected an RGB or RGBA PNG, got ${png.channels} channels`);
  return { width: png.width, height: png.height, data };
}
