/**
 * The inverse DCT that GDAL's JPEG-in-TIFF pixels come from: libjpeg's default "islow" method (JDCT_ISLOW, the
 * Loeffler-Ligtenberg-Moschytz factorisation in 13-bit fixed point, columns first with 2 extra bits of precision,
 * then rows). libtiff never changes `dct_method`, so this is what every GDAL build runs; libjpeg-turbo's SIMD
 * versions of it are bit-exact with the C one. A float IDCT (as in most JavaScript decoders) differs by ±1 on a
 * few percent of pixels, which is why we do not use geotiff.js's decoder for JPEG.
 *
 * Every intermediate here is an integer below 2^53, so JavaScript numbers carry it exactly; right shifts of
 * possibly large values are done with Math.floor division (an arithmetic shift, as in libjpeg's DESCALE).
 */

const CONST_BITS = 13;
const PASS1_BITS = 2;

// Fixed-point constants, round(c * 2^13), as in the reference implementation.
const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

const PASS1_DIV = 2 ** (CONST_BITS - PASS1_BITS);
const PASS1_HALF = PASS1_DIV / 2;
const PASS2_DIV = 2 ** (CONST_BITS + PASS1_BITS + 3);
const PASS2_HALF = PASS2_DIV / 2;
const SHIFT_CONST = 2 ** CONST_BITS;
const SHIFT_PASS1 = 2 ** PASS1_BITS;

/** Level shift (+128) and clamp to 0..255, as libjpeg-turbo's SIMD islow saturates its output. */
function toSample(x: number): number {
  const v = x + 128;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

const workspace = new Float64Array(64);

/**
 * Dequantises and inverse-transforms one 8x8 block of coefficients (natural order, starting at `coefOffset`),
 * writing 8 rows of 8 samples into `out` at `outOffset` with row stride `stride`.
 */
export function idctIslow(
  coefs: Int16Array,
  coefOffset: number,
  quant: Uint16Array,
  out: Uint8Array,
  outOffset: number,
  stride: number,
): void {
  const ws = workspace;
  // Pass 1: columns from the input into the workspace, scaled up by 2^PASS1_BITS.
  for (let c = 0; c < 8; c++) {
    const i = coefOffset + c;
    if (
      coefs[i + 8] === 0 && coefs[i + 16] === 0 && coefs[i + 24] === 0 && coefs[i + 32] === 0 &&
      coefs[i + 40] === 0 && coefs[i + 48] === 0 && coefs[i + 56] === 0
    ) {
      // AC terms all zero: the column is constant (the same result as the full computation, only faster).
      const dc = coefs[i] * quant[c] * SHIFT_PASS1;
      for (let r = 0; r < 8; r++) ws[r * 8 + c] = dc;
      continue;
    }
    // Even part.
    let z2 = coefs[i + 16] * quant[c + 16];
    let z3 = coefs[i + 48] * quant[c + 48];
    let z1 = (z2 + z3) * FIX_0_541196100;
    let tmp2 = z1 - z3 * FIX_1_847759065;
    let tmp3 = z1 + z2 * FIX_0_765366865;
    z2 = coefs[i] * quant[c];
    z3 = coefs[i + 32] * quant[c + 32];
    let tmp0 = (z2 + z3) * SHIFT_CONST;
    let tmp1 = (z2 - z3) * SHIFT_CONST;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    // Odd part.
    tmp0 = coefs[i + 56] * quant[c + 56];
    tmp1 = coefs[i + 40] * quant[c + 40];
    tmp2 = coefs[i + 24] * quant[c + 24];
    tmp3 = coefs[i + 8] * quant[c + 8];
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * FIX_1_175875602;
    tmp0 *= FIX_0_298631336;
    tmp1 *= FIX_2_053119869;
    tmp2 *= FIX_3_072711026;
    tmp3 *= FIX_1_501321110;
    z1 *= -FIX_0_899976223;
    z2 *= -FIX_2_562915447;
    z3 = z3 * -FIX_1_961570560 + z5;
    z4 = z4 * -FIX_0_390180644 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    ws[c] = Math.floor((tmp10 + tmp3 + PASS1_HALF) / PASS1_DIV);
    ws[56 + c] = Math.floor((tmp10 - tmp3 + PASS1_HALF) / PASS1_DIV);
    ws[8 + c] = Math.floor((tmp11 + tmp2 + PASS1_HALF) / PASS1_DIV);
    ws[48 + c] = Math.floor((tmp11 - tmp2 + PASS1_HALF) / PASS1_DIV);
    ws[16 + c] = Math.floor((tmp12 + tmp1 + PASS1_HALF) / PASS1_DIV);
    ws[40 + c] = Math.floor((tmp12 - tmp1 + PASS1_HALF) / PASS1_DIV);
    ws[24 + c] = Math.floor((tmp13 + tmp0 + PASS1_HALF) / PASS1_DIV);
    ws[32 + c] = Math.floor((tmp13 - tmp0 + PASS1_HALF) / PASS1_DIV);
  }
  // Pass 2: rows from the workspace to the output, removing both scalings and the 2^3 of the 2-D transform.
  for (let r = 0; r < 8; r++) {
    const w = r * 8;
    const o = outOffset + r * stride;
    if (ws[w + 1] === 0 && ws[w + 2] === 0 && ws[w + 3] === 0 && ws[w + 4] === 0 && ws[w + 5] === 0 && ws[w + 6] === 0 && ws[w + 7] === 0) {
      const v = toSample(Math.floor((ws[w] + 16) / 32)); // DESCALE(ws[0], PASS1_BITS + 3)
      for (let k = 0; k < 8; k++) out[o + k] = v;
      continue;
    }
    let z2 = ws[w + 2];
    let z3 = ws[w + 6];
    let z1 = (z2 + z3) * FIX_0_541196100;
    let tmp2 = z1 - z3 * FIX_1_847759065;
    let tmp3 = z1 + z2 * FIX_0_765366865;
    let tmp0 = (ws[w] + ws[w + 4]) * SHIFT_CONST;
    let tmp1 = (ws[w] - ws[w + 4]) * SHIFT_CONST;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    tmp0 = ws[w + 7];
    tmp1 = ws[w + 5];
    tmp2 = ws[w + 3];
    tmp3 = ws[w + 1];
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * FIX_1_175875602;
    tmp0 *= FIX_0_298631336;
    tmp1 *= FIX_2_053119869;
    tmp2 *= FIX_3_072711026;
    tmp3 *= FIX_1_501321110;
    z1 *= -FIX_0_899976223;
    z2 *= -FIX_2_562915447;
    z3 = z3 * -FIX_1_961570560 + z5;
    z4 = z4 * -FIX_0_390180644 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    out[o] = toSample(Math.floor((tmp10 + tmp3 + PASS2_HALF) / PASS2_DIV));
    out[o + 7] = toSample(Math.floor((tmp10 - tmp3 + PASS2_HALF) / PASS2_DIV));
    out[o + 1] = toSample(Math.floor((tmp11 + tmp2 + PASS2_HALF) / PASS2_DIV));
    out[o + 6] = toSample(Math.floor((tmp11 - tmp2 + PASS2_HALF) / PASS2_DIV));
    out[o + 2] = toSample(Math.floor((tmp12 + tmp1 + PASS2_HALF) / PASS2_DIV));
    out[o + 5] = toSample(Math.floor((tmp12 - tmp1 + PASS2_HALF) / PASS2_DIV));
    out[o + 3] = toSample(Math.floor((tmp13 + tmp0 + PASS2_HALF) / PASS2_DIV));
    out[o + 4] = toSample(Math.floor((tmp13 - tmp0 + PASS2_HALF) / PASS2_DIV));
  }
}
