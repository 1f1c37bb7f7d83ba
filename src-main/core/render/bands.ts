/**
 * Band access for pixel-interleaved (NHWC) arrays, the layout the data layer decodes patches into: sample c of
 * pixel i is at `i * channels + c`.
 */
export type NumericArray = ArrayLike<number>;

/** One band of an interleaved array, copied out as Float32 (cheap at patch size and keeps the kernels simple). */
export function extractBand(data: NumericArray, channels: number, band: number, scale = 1): Float32Array {
  if (!(band >= 0 && band < channels)) throw new RangeError(`band ${band} outside 0..${channels - 1}`);
  const n = Math.floor(data.length / channels);
  if (n * channels !== data.length) throw new RangeError(`array of ${data.length} values is not a whole number of ${channels}-band pixels`);
  const out = new Float32Array(n);
  for (let i = 0, o = band; i < n; i++, o += channels) out[i] = data[o] * scale;
  return out;
}
