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

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/**
 * The value of a tEXt chunk, found by walking the chunk headers (nothing is decompressed; fast-png writes text
 * after the image data): how the imagery disk cache reads back the facts it stored with an image. Undefined when
 * absent or not a PNG.
 */
export function readPngText(bytes: Uint8Array, keyword: string): string | undefined {
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  for (let pos = 8; pos + 8 <= bytes.length; ) {
    const length = view.getUint32(pos);
    const type = latin1.decode(bytes.subarray(pos + 4, pos + 8));
    const start = pos + 8;
    const end = start + length;
    if (end > bytes.length || type === 'IEND') return undefined;
    if (type === 'tEXt') {
      const data = bytes.subarray(start, end);
      const nul = data.indexOf(0);
      if (nul > 0 && latin1.decode(data.subarray(0, nul)) === keyword) return latin1.decode(data.subarray(nul + 1));
    }
    pos = end + 4; // skip the CRC
  }
  return undefined;
}
