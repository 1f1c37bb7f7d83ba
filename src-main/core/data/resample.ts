/**
 * Resampling of coarser Sentinel-2 bands (20 m, 60 m) and other rasters onto the 10 m 120 x 120 patch grid.
 *
 * Pixel-centre convention (as GDAL's warper and `F.interpolate(..., align_corners=False)`): a pixel is an area,
 * its value sits at its centre. Target pixel j has its centre at map coordinate x_t = c_t + (j + 0.5) * a_t; in
 * the source raster that is the continuous pixel coordinate u = (x_t - c_s) / a_s - 0.5, where integer u is a
 * source pixel centre. For a 60 x 60 20 m band covering the same 1.2 km as the 120 x 120 grid this gives
 * u = (j + 0.5) / 2 - 0.5, so target pixels 0 and 1 sit a quarter source pixel either side of a source centre.
 * Bilinear weights come from the two nearest source centres along each axis; beyond the outermost centres (the
 * outer half source pixel) the edge value is held (clamped coordinates, like OpenCV's replicate border). On real
 * BigEarthNet 20 m and 60 m bands this equals `gdalwarp -r bilinear` onto the 10 m grid, edges included (checked
 * against GDAL 3.6.2 in test/core/data/bigearthnet-v1.test.ts).
 */

/** Source coordinate of target index j along one axis: u = offset + j * step. */
export interface AxisMap {
  offset: number;
  step: number;
}

/**
 * Axis mapping from the two rasters' transforms along one axis (origin and pixel size in map units). With equal
 * extents this is offset = 0.5 * (ratio) - 0.5, step = ratio, ratio = target pixel size / source pixel size.
 */
export function axisMap(targetOrigin: number, targetPixel: number, sourceOrigin: number, sourcePixel: number): AxisMap {
  return { offset: (targetOrigin + 0.5 * targetPixel - sourceOrigin) / sourcePixel - 0.5, step: targetPixel / sourcePixel };
}

/** The mapping for a raster covering exactly the same extent as the target grid (only the sizes differ). */
export function sameExtentMap(sourceSize: number, targetSize: number): AxisMap {
  const step = sourceSize / targetSize;
  return { offset: 0.5 * step - 0.5, step };
}

/**
 * Bilinear resampling of a single-band row-major `src` (sw x sh) into `dst` (dw x dh). `dstStride`/`dstOffset`
 * allow writing one channel of an interleaved (NHWC) destination: dst[dstOffset + (y * dw + x) * dstStride].
 */
export function resampleBilinear(
  src: ArrayLike<number>, sw: number, sh: number,
  dst: { [i: number]: number }, dw: number, dh: number,
  mx: AxisMap, my: AxisMap,
  dstStride = 1, dstOffset = 0,
): void {
  const x0 = new Int32Array(dw);
  const x1 = new Int32Array(dw);
  const wx = new Float64Array(dw);
  for (let x = 0; x < dw; x++) {
    const u = Math.min(Math.max(mx.offset + x * mx.step, 0), sw - 1);
    const i = Math.min(Math.floor(u), sw - 1);
    x0[x] = i;
    x1[x] = Math.min(i + 1, sw - 1);
    wx[x] = u - i;
  }
  for (let y = 0; y < dh; y++) {
    const v = Math.min(Math.max(my.offset + y * my.step, 0), sh - 1);
    const j = Math.min(Math.floor(v), sh - 1);
    const r0 = j * sw;
    const r1 = Math.min(j + 1, sh - 1) * sw;
    const wy = v - j;
    let o = dstOffset + y * dw * dstStride;
    for (let x = 0; x < dw; x++, o += dstStride) {
      const a = src[r0 + x0[x]], b = src[r0 + x1[x]], c = src[r1 + x0[x]], d = src[r1 + x1[x]];
      const top = a + (b - a) * wx[x];
      const bottom = c + (d - c) * wx[x];
      dst[o] = top + (bottom - top) * wy;
    }
  }
}

/** Nearest-neighbour resampling (categorical rasters: WorldCover, reference maps), same conventions. */
export function resampleNearest(
  src: ArrayLike<number>, sw: number, sh: number,
  dst: { [i: number]: number }, dw: number, dh: number,
  mx: AxisMap, my: AxisMap,
): void {
  const xi = new Int32Array(dw);
  for (let x = 0; x < dw; x++) xi[x] = Math.min(Math.max(Math.floor(mx.offset + x * mx.step + 0.5), 0), sw - 1);
  for (let y = 0; y < dh; y++) {
    const j = Math.min(Math.max(Math.floor(my.offset + y * my.step + 0.5), 0), sh - 1);
    const r = j * sw;
    for (let x = 0; x < dw; x++) dst[y * dw + x] = src[r + xi[x]];
  }
}
