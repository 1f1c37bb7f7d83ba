/**
 * Chroma upsampling exactly as libjpeg does it with its default `do_fancy_upsampling = TRUE` (libtiff keeps the
 * default): a triangle filter (3/4 nearest + 1/4 next sample) for 2x1, 1x2 and 2x2 subsampling, with libjpeg's
 * particular rounding biases, and plain replication for other integer ratios. JavaScript JPEG decoders usually
 * replicate chroma (box filter), which puts red and blue off by up to ±10 from GDAL near colour edges.
 *
 * Edges follow libjpeg: the row above the first row and the row below the last real row are copies of those rows
 * (jdmainct's context-row pointers), the first and last columns have their own formulas.
 */
import { JpegError } from './errors';

export interface Plane {
  data: Uint8Array;
  /** Row stride of `data` (the component's block-aligned width). */
  stride: number;
  /** Samples that carry image data (libjpeg's downsampled_width / downsampled_height). */
  width: number;
  height: number;
}

/**
 * Upsamples a component plane by integer factors (hf, vf) to an outWidth x outHeight plane (row stride outWidth).
 */
export function upsample(plane: Plane, hf: number, vf: number, outWidth: number, outHeight: number): Uint8Array {
  const out = new Uint8Array(outWidth * outHeight);
  const { data, stride, width, height } = plane;
  const row = (y: number): number => (y < 0 ? 0 : y >= height ? height - 1 : y) * stride;

  if (hf === 1 && vf === 1) {
    for (let y = 0; y < outHeight; y++) out.set(data.subarray(row(y), row(y) + outWidth), y * outWidth);
    return out;
  }
  // Full-width scratch row for the horizontal stage (2 * width may exceed outWidth by one column).
  const line = new Uint8Array(width * hf + 2);
  if (hf === 2 && vf === 1 && width > 2) {
    for (let y = 0; y < outHeight; y++) {
      h2v1Fancy(data, row(y), width, line);
      out.set(line.subarray(0, outWidth), y * outWidth);
    }
    return out;
  }
  if (hf === 1 && vf === 2) {
    for (let y = 0; y < outHeight; y++) {
      const inRow = y >> 1;
      // Even output rows blend with the row above (bias 1), odd ones with the row below (bias 2).
      const near = row(inRow);
      const far = row((y & 1) === 0 ? inRow - 1 : inRow + 1);
      const bias = (y & 1) === 0 ? 1 : 2;
      const o = y * outWidth;
      for (let x = 0; x < outWidth; x++) out[o + x] = (data[near + x] * 3 + data[far + x] + bias) >> 2;
    }
    return out;
  }
  if (hf === 2 && vf === 2 && width > 2) {
    for (let y = 0; y < outHeight; y++) {
      const inRow = y >> 1;
      h2v2Fancy(data, row(inRow), row((y & 1) === 0 ? inRow - 1 : inRow + 1), width, line);
      out.set(line.subarray(0, outWidth), y * outWidth);
    }
    return out;
  }
  if (hf >= 1 && vf >= 1 && hf <= 4 && vf <= 4) {
    // Replication (libjpeg's int_upsample / h2v1_upsample / h2v2_upsample).
    for (let y = 0; y < outHeight; y++) {
      const r = row(Math.floor(y / vf));
      const o = y * outWidth;
      for (let x = 0; x < outWidth; x++) out[o + x] = data[r + Math.floor(x / hf)];
    }
    return out;
  }
  throw new JpegError(`unsupported chroma subsampling ratio ${hf}x${vf}`);
}

/** libjpeg h2v1_fancy_upsample for one row (needs width > 2). */
function h2v1Fancy(data: Uint8Array, r: number, width: number, line: Uint8Array): void {
  let v = data[r];
  line[0] = v;
  line[1] = (v * 3 + data[r + 1] + 2) >> 2;
  let o = 2;
  for (let x = 1; x < width - 1; x++) {
    v = data[r + x] * 3;
    line[o++] = (v + data[r + x - 1] + 1) >> 2;
    line[o++] = (v + data[r + x + 1] + 2) >> 2;
  }
  v = data[r + width - 1];
  line[o++] = (v * 3 + data[r + width - 2] + 1) >> 2;
  line[o] = v;
}

/** libjpeg h2v2_fancy_upsample for one output row: `near` is its own input row, `far` the neighbouring one. */
function h2v2Fancy(data: Uint8Array, near: number, far: number, width: number, line: Uint8Array): void {
  // Column sums of 3*near + far, then the same 3:1 blend horizontally; total weight 16.
  let thisSum = data[near] * 3 + data[far];
  let nextSum = data[near + 1] * 3 + data[far + 1];
  line[0] = (thisSum * 4 + 8) >> 4;
  line[1] = (thisSum * 3 + nextSum + 7) >> 4;
  let lastSum = thisSum;
  thisSum = nextSum;
  let o = 2;
  for (let x = 2; x < width; x++) {
    nextSum = data[near + x] * 3 + data[far + x];
    line[o++] = (thisSum * 3 + lastSum + 8) >> 4;
    line[o++] = (thisSum * 3 + nextSum + 7) >> 4;
    lastSum = thisSum;
    thisSum = nextSum;
  }
  line[o++] = (thisSum * 3 + lastSum + 8) >> 4;
  line[o] = (thisSum * 4 + 7) >> 4;
}
