import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelBackend, KernelConfig, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { input, makeTensor, withKernelCalls, type KernelCalls } from './kernel-calls';
import { zeroInsert } from './spread';

/**
 * Gradient of conv2d with respect to its input, for wasm, replacing the backend's own Conv2DBackpropInput: that
 * one is a scalar C++ loop (no XNNPACK, no SIMD) and took ~60% of a ResNet-18 training step. Here the gradient is
 * one forward convolution on wasm's XNNPACK Conv2D:
 *
 *  - stride 1: dx = conv2d(dy, W′) with W′[kh, kw, co, ci] = W[KH−1−kh, KW−1−kw, ci, co] ("full" padding).
 *  - stride s (same in both directions): sub-pixel convolution. Input pixels y ≡ r (mod s) only receive the taps
 *    kh ≡ (r + padTop) (mod s), so dx splits into s×s phases, each a stride-1 correlation of dy with a sub-filter.
 *    All phases are computed by ONE convolution whose output channels are the s·s phases side by side (sub-filters
 *    aligned in a common window, zeros where a phase has no tap), and one transpose interleaves them into dx. The
 *    zeros cost some multiplies (3×3/2: 16 taps for 9, 7×7/2: 64 for 49), far less than the ¾ zeros of a
 *    zero-inserted dy, and one well-shaped XNNPACK call beats s·s thin ones plus their interleaving.
 *  - other strides (sh ≠ sw): zero-inserted dy and the stride-1 formula.
 *
 * The rearranged filters are built in JavaScript: they are filter-sized (≤ 2.4 M values in ResNet-18), and the
 * backend's Reverse/StridedSlice kernels walk them element by element with index arithmetic, several times slower
 * than the blocked copy here.
 */
export function conv2DBackpropInput(args: {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const dy = input(args.inputs, 'dy');
  const filter = input(args.inputs, 'filter');
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropInput on wasm supports NHWC only, got ${dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const w = args.backend.readSync(filter.dataId) as Float32Array;
  return withKernelCalls(args.backend, (k) => {
    const { strideHeight: sh, strideWidth: sw } = info;
    if (sh === 1 && sw === 1) return strideOne(k, dy, w, info);
    if (sh === sw) return subPixel(k, dy, w, info);
    return strideOne(k, zeroInsert(k, dy, sh, sw), w, info);
  });
}

/** W[kh, kw, ci, co] → W′[KH−1−kh, KW−1−kw, co, ci], tap by tap, each tap a blocked [ci, co] → [co, ci] transpose. */
function flippedTransposed(w: Float32Array, kh: number, kw: number, ci: number, co: number): Float32Array {
  const out = new Float32Array(w.length);
  const taps = kh * kw;
  const block = ci * co;
  for (let t = 0; t < taps; t++) transposeBlock(w, t * block, out, (taps - 1 - t) * block, ci, co, ci, 0);
  return out;
}

/**
 * dst[dstOff + c·dstRow + dstCol + r] = src[srcOff + r·cols + c] for r < rows, c < cols: a [rows, cols] block
 * written transposed into rows of length dstRow starting at column dstCol, in 32×32 tiles so reads and writes
 * both stay in cache.
 */
function transposeBlock(
  src: Float32Array,
  srcOff: number,
  dst: Float32Array,
  dstOff: number,
  rows: number,
  cols: number,
  dstRow: number,
  dstCol: number,
): void {
  const T = 32;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T);
      for (let r = r0; r < r1; r++) {
        const s = srcOff + r * cols;
        const d = dstOff + dstCol + r;
        for (let c = c0; c < c1; c++) dst[d + c * dstRow] = src[s + c];
      }
    }
  }
}

/**
 * Correlation of `src` (dy, or dy zero-inserted to stride 1) with the flipped filter, padded so that the output is
 * exactly the input grid.
 */
function strideOne(k: KernelCalls, src: TensorInfo, w: Float32Array, info: backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, inHeight, inWidth } = info;
  const filter = k.adopt(makeTensor(k.backend, [kh, kw, co, ci], 'float32', flippedTransposed(w, kh, kw, ci, co)));
  return correlate(k, src, filter, kh - 1 - info.padInfo.top, kw - 1 - info.padInfo.left, inHeight, inWidth);
}

/**
 * Stride-1 correlation whose output row r reads src rows r − top … r − top + KH − 1 (rows outside src are zero),
 * for `rows` × `cols` outputs. XNNPACK takes no negative padding, so src rows no output reads are cropped first.
 */
function correlate(k: KernelCalls, src: TensorInfo, filter: TensorInfo, top: number, left: number, rows: number, cols: number): TensorInfo {
  const [b, h, w, c] = src.shape;
  const [fh, fw] = filter.shape;
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  const padTop = Math.max(0, top);
  const padLeft = Math.max(0, left);
  const usedRows = Math.min(h - cropTop, rows + fh - 1 - padTop);
  const usedCols = Math.min(w - cropLeft, cols + fw - 1 - padLeft);
  const x = cropTop || cropLeft || usedRows < h || usedCols < w ? k.slice(src, [0, cropTop, cropLeft, 0], [b, usedRows, usedCols, c]) : src;
  return k.run('Conv2D', { x, filter }, {
    strides: [1, 1],
    dilations: [1, 1],
    pad: [[0, 0], [padTop, rows + fh - 1 - padTop - usedRows], [padLeft, cols + fw - 1 - padLeft - usedCols], [0, 0]],
    dataFormat: 'NHWC',
  });
}

/** Taps of one phase along one axis: output offset p ↦ dy offset p + δ, δ = qoff − j, filter tap r + j·s. */
interface PhaseTaps {
  first: number; // filter tap for j = 0
  count: number; // number of taps
  qoff: number;
}

function phaseTaps(phase: number, pad: number, stride: number, size: number): PhaseTaps {
  const first = (phase + pad) % stride;
  return { first, count: first < size ? Math.ceil((size - first) / stride) : 0, qoff: Math.floor((phase + pad) / stride) };
}

function subPixel(k: KernelCalls, dy: TensorInfo, w: Float32Array, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  const s = info.strideHeight;
  const { top, left } = info.padInfo;
  const rowsP = Math.ceil(inHeight / s);
  const colsP = Math.ceil(inWidth / s);
  const hTaps = Array.from({ length: s }, (_, r) => phaseTaps(r, top, s, kh));
  const wTaps = Array.from({ length: s }, (_, r) => phaseTaps(r, left, s, kw));
  // Common window of dy offsets δ over all phases that have taps.
  const span = (taps: PhaseTaps[]) => {
    const used = taps.filter((t) => t.count > 0);
    return { lo: Math.min(...used.map((t) => t.qoff - t.count + 1)), hi: Math.max(...used.map((t) => t.qoff)) };
  };
  const hs = span(hTaps);
  const ws = span(wTaps);
  const fh = hs.hi - hs.lo + 1;
  const fw = ws.hi - ws.lo + 1;
  const outC = s * s * ci;
  // Combined filter [fh, fw, co, s·s·ci]: window position i reads dy offset δ = lo + i, i.e. tap j = qoff − δ.
  const combined = new Float32Array(fh * fw * co * outC);
  for (let ry = 0; ry < s; ry++) {
    for (let rx = 0; rx < s; rx++) {
      const ph = hTaps[ry];
      const pw = wTaps[rx];
      const channelBase = (ry * s + rx) * ci;
      for (let i = 0; i < fh; i++) {
        const jh = ph.qoff - (hs.lo + i);
        if (jh < 0 || jh >= ph.count) continue;
        const tapH = ph.first + jh * s;
        for (let i2 = 0; i2 < fw; i2++) {
          const jw = pw.qoff - (ws.lo + i2);
          if (jw < 0 || jw >= pw.count) continue;
          const tapW = pw.first + jw * s;
          transposeBlock(w, (tapH * kw + tapW) * ci * co, combined, (i * fw + i2) * co * outC, ci, co, outC, channelBase);
        }
      }
    }
  }
  const filter = k.adopt(makeTensor(k.backend, [fh, fw, co, outC], 'float32', combined));
  // Output p reads dy rows p + lo … p + hi.
  const phases = correlate(k, dy, filter, -hs.lo, -ws.lo, rowsP, colsP);
  // Interleave (what DepthToSpace does, but the backend's DepthToSpace is ~6x slower than this transpose):
  // channel block (ry, rx) of pixel (p, q) goes to (p·s + ry, q·s + rx).
  const split = k.reshape(phases, [batchSize * rowsP, colsP, s, s * ci]);
  const dx = k.reshape(k.transpose(split, [0, 2, 1, 3]), [batchSize, rowsP * s, colsP * s, ci]);
  if (rowsP * s === inHeight && colsP * s === inWidth) return dx;
  return k.slice(dx, [0, 0, 0, 0], [batchSize, inHeight, inWidth, ci]);
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelConfig['kernelFunc'],
};
