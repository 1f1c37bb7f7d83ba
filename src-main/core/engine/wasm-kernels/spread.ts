import type { TensorInfo } from '@tensorflow/tfjs';
import type { KernelCalls } from './kernel-calls';

/**
 * Spreads dy over the input grid a stride-s convolution read it from: s−1 zero rows/columns after every row/column
 * (reshape → PadV2 → reshape, all wasm kernels). Returns dy itself for stride 1.
 */
export function zeroInsert(k: KernelCalls, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [b, oh, ow, c] = dy.shape;
  const expanded = k.reshape(dy, [b, oh, 1, ow, 1, c]);
  const padded = k.pad(expanded, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return k.reshape(padded, [b, oh * sh, ow * sw, c]);
}

/**
 * x[:, top + i·sh, left + j·sw, :] for i < rows, j < cols (positions past the edge read zeros): what a strided
 * StridedSlice returns, built from a crop/pad to exactly rows·sh × cols·sw, a reshape that puts the stride phase in
 * its own axes, and a contiguous-run slice of phase 0. The backend's StridedSlice does per-element index
 * arithmetic and is ~6x slower.
 */
export function stridedPick(
  k: KernelCalls,
  x: TensorInfo,
  top: number,
  left: number,
  rows: number,
  cols: number,
  sh: number,
  sw: number,
): TensorInfo {
  const [b, h, w, c] = x.shape;
  const needH = rows * sh;
  const needW = cols * sw;
  // Crop what lies before top/left and beyond the needed extent, then pad what is missing at the far edges.
  const cropH = Math.min(h - top, needH);
  const cropW = Math.min(w - left, needW);
  let grid = top === 0 && left === 0 && cropH === h && cropW === w ? x : k.slice(x, [0, top, left, 0], [b, cropH, cropW, c]);
  if (cropH < needH || cropW < needW) grid = k.pad(grid, [[0, 0], [0, needH - cropH], [0, needW - cropW], [0, 0]]);
  if (sh === 1 && sw === 1) return grid;
  const phased = k.reshape(grid, [b * rows, sh, cols, sw * c]);
  const picked = k.slice(phased, [0, 0, 0, 0], [b * rows, 1, cols, c]);
  return k.reshape(picked, [b, rows, cols, c]);
}
