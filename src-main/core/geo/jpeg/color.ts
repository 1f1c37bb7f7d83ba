/**
 * YCbCr -> RGB with libjpeg's fixed-point tables (jdcolor.c: 16 fractional bits, round-half-up), which is what
 * GDAL applies to Photometric=YCbCr JPEG-in-TIFF (it sets libtiff's JPEGCOLORMODE_RGB so that libjpeg converts).
 */

const SCALEBITS = 16;
const ONE_HALF = 1 << (SCALEBITS - 1);
const fix = (x: number): number => Math.floor(x * (1 << SCALEBITS) + 0.5);

const crR = new Int32Array(256);
const cbB = new Int32Array(256);
const crG = new Float64Array(256);
const cbG = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  crR[i] = Math.floor((fix(1.402) * x + ONE_HALF) / 65536);
  cbB[i] = Math.floor((fix(1.772) * x + ONE_HALF) / 65536);
  crG[i] = -fix(0.71414) * x;
  cbG[i] = -fix(0.34414) * x + ONE_HALF;
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Converts planes Y, Cb, Cr (same size) into interleaved RGB at `out` (3 bytes per pixel). */
export function yccToRgb(y: Uint8Array, cb: Uint8Array, cr: Uint8Array, out: Uint8Array): void {
  for (let i = 0, o = 0; i < y.length; i++, o += 3) {
    const yy = y[i];
    const b = cb[i];
    const r = cr[i];
    out[o] = clamp(yy + crR[r]);
    out[o + 1] = clamp(yy + Math.floor((cbG[b] + crG[r]) / 65536));
    out[o + 2] = clamp(yy + cbB[b]);
  }
}
