import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelBackend, KernelConfig, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { input, makeTensor, withKernelCalls, type KernelCalls } from './kernel-calls';
import { zeroInsert } from './spread';
import { simdLoops } from './simd-loops';
import type { WasmHeapAccess } from './wasm-heap';

/**
 * Gradient of conv2d with respect to its input, for wasm, replacing the backend's own Conv2DBackpropInput: that
 * one is a scalar C++ loop (no XNNPACK, no SIMD) and took ~60% of a ResNet-18 training step. Here the gradient is
 * one forward convolution on wasm's XNNPACK Conv2D:
 *
 *  - stride 1: dx = conv2d(dy, W′) with W′[kh, kw, co, ci] = W[KH−1−kh, KW−1−kw, ci, co] ("full" padding).
 *  - stride s (same in both directions): sub-pixel convolution. Input pixels y ≡ r (mod s) only receive the taps
 *    kh ≡ (r + padTop) (mod s), so dx splits into s×s phases, each a stride-1 correlation of dy with its own
 *    sub-filter (3×3/2: 2×2, 2×1, 1×2 and 1×1 taps — exactly the forward pass's multiplies; a 1×1/2 downsample:
 *    one 1×1 phase, the others zero). The phases are interleaved into dx by run copies on the heap. (One combined
 *    convolution over a common window wastes multiplies on zero taps — 16 for 9 at 3×3/2, 4× at 1×1/2 — and its
 *    filter, s·s times wider, no longer fits the cache: it measured 2–4× slower than the separate phases.)
 *  - other strides (sh ≠ sw): zero-inserted dy and the stride-1 formula.
 *
 * The rearranged filters are built tap by tap, each tap a [ci, co] → [co, ci] transpose: as SIMD loops on the
 * heap when both channel counts are multiples of 4, else in JavaScript from a copy of the filter (the backend's
 * Reverse/StridedSlice kernels walk them element by element with index arithmetic, several times slower).
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
  return withKernelCalls(args.backend, (k) => {
    const { strideHeight: sh, strideWidth: sw } = info;
    if (sh === 1 && sw === 1) return strideOne(k, dy, filter, info);
    if (sh === sw) return subPixel(k, dy, filter, info);
    return strideOne(k, zeroInsert(k, dy, sh, sw), filter, info);
  });
}

/**
 * A filter [fh, fw, co, ci] whose tap `dst` is tap `src` of W [kh, kw, ci, co] transposed to [co, ci], for each
 * listed pair; unlisted taps are zero.
 */
function tapFilter(
  k: KernelCalls,
  filter: TensorInfo,
  shape: [number, number, number, number],
  taps: Array<{ src: number; dst: number }>,
): TensorInfo {
  const [fh, fw, co, ci] = shape;
  const block = ci * co;
  const loops = simdLoops(k.backend);
  if (loops !== undefined && ci % 4 === 0 && co % 4 === 0 && filter.dtype === 'float32') {
    const heap = k.backend as unknown as WasmHeapAccess;
    const out = k.adopt(heap.makeOutput(shape, 'float32'));
    const dst = heap.typedArrayFromHeap(out) as Float32Array;
    if (taps.length < fh * fw) dst.fill(0);
    const src = heap.typedArrayFromHeap(filter).byteOffset;
    for (const t of taps) loops.transpose(dst.byteOffset + 4 * t.dst * block, src + 4 * t.src * block, ci, co, 4 * ci, 4 * co);
    return out;
  }
  const w = k.backend.readSync(filter.dataId) as Float32Array;
  const values = new Float32Array(fh * fw * block);
  for (const t of taps) transposeBlock(w, t.src * block, values, t.dst * block, ci, co, ci, 0);
  return k.adopt(makeTensor(k.backend, shape, 'float32', values));
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
function strideOne(k: KernelCalls, src: TensorInfo, w: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, inHeight, inWidth } = info;
  // W′[KH−1−kh, KW−1−kw, co, ci] = W[kh, kw, ci, co]: taps reversed, each transposed.
  const taps = Array.from({ length: kh * kw }, (_, t) => ({ src: t, dst: kh * kw - 1 - t }));
  const filter = tapFilter(k, w, [kh, kw, co, ci], taps);
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

function subPixel(k: KernelCalls, dy: TensorInfo, w: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  const s = info.strideHeight;
  const { top, left } = info.padInfo;
  const rowsP = Math.ceil(inHeight / s);
  const colsP = Math.ceil(inWidth / s);
  const hTaps = Array.from({ length: s }, (_, r) => phaseTaps(r, top, s, kh));
  const wTaps = Array.from({ length: s }, (_, r) => phaseTaps(r, left, s, kw));
  const phases: Array<{ ry: number; rx: number; out: TensorInfo }> = [];
  for (let ry = 0; ry < s; ry++) {
    for (let rx = 0; rx < s; rx++) {
      const ph = hTaps[ry];
      const pw = wTaps[rx];
      if (ph.count === 0 || pw.count === 0) continue;
      // Phase filter [count_h, count_w, co, ci]: window position i reads dy offset δ = qoff − count + 1 + i, i.e.
      // tap j = count − 1 − i, filter row first + j·s.
      const taps: Array<{ src: number; dst: number }> = [];
      for (let i = 0; i < ph.count; i++) {
        const tapH = ph.first + (ph.count - 1 - i) * s;
        for (let i2 = 0; i2 < pw.count; i2++) {
          const tapW = pw.first + (pw.count - 1 - i2) * s;
          taps.push({ src: tapH * kw + tapW, dst: i * pw.count + i2 });
        }
      }
      const f = tapFilter(k, w, [ph.count, pw.count, co, ci], taps);
      const lo = ph.qoff - ph.count + 1;
      const loW = pw.qoff - pw.count + 1;
      phases.push({ ry, rx, out: correlate(k, dy, f, -lo, -loW, rowsP, colsP) });
    }
  }
  return interleave(k, phases, [batchSize, inHeight, inWidth, ci], s, rowsP, colsP);
}

/**
 * dx[b, p·s + ry, q·s + rx, :] = phase(ry, rx)[b, p, q, :] (zero where a phase has no taps), copied run by run
 * (ci values) on the wasm heap: what DepthToSpace would do, without first concatenating the phases.
 */
function interleave(
  k: KernelCalls,
  phases: Array<{ ry: number; rx: number; out: TensorInfo }>,
  shape: [number, number, number, number],
  s: number,
  rowsP: number,
  colsP: number,
): TensorInfo {
  const heap = k.backend as unknown as WasmHeapAccess;
  const [b, h, w, ci] = shape;
  const dxInfo = k.adopt(heap.makeOutput(shape, 'float32'));
  const dx = heap.typedArrayFromHeap(dxInfo) as Float32Array;
  if (phases.length < s * s) dx.fill(0);
  const mem = new Float32Array(dx.buffer);
  const dxAt = dx.byteOffset >> 2;
  for (const { ry, rx, out } of phases) {
    const srcAt = (heap.typedArrayFromHeap(out) as Float32Array).byteOffset >> 2;
    const rows = Math.ceil((h - ry) / s);
    const cols = Math.ceil((w - rx) / s);
    for (let n = 0; n < b; n++) {
      for (let p = 0; p < rows; p++) {
        let src = srcAt + ((n * rowsP + p) * colsP) * ci;
        let dst = dxAt + ((n * h + p * s + ry) * w + rx) * ci;
        for (let q = 0; q < cols; q++, src += ci, dst += s * ci) mem.copyWithin(dst, src, src + ci);
      }
    }
  }
  return dxInfo;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelConfig['kernelFunc'],
};
