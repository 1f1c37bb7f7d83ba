import { slice_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, NamedTensorInfoMap, SliceAttrs, TensorInfo } from '@tensorflow/tfjs';
import { input } from './kernel-calls';
import type { WasmHeapAccess } from './wasm-heap';

/**
 * Slice for wasm, reading the input in place. The backend's own Slice first copies the WHOLE input out of the
 * wasm heap (readSync) and then picks the slice in JavaScript, per element for non-contiguous slices; here the
 * slice is copied heap to heap in its contiguous runs (one typed-array `set` per run). Strings go to the backend's
 * kernel.
 */
export function makeSliceConfig(original: KernelConfig): KernelConfig {
  const fallback = original.kernelFunc;
  const kernelFunc = (args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs: SliceAttrs }): TensorInfo => {
    const x = input(args.inputs, 'x');
    const heap = args.backend as unknown as Partial<WasmHeapAccess>;
    if (x.dtype === 'string' || typeof heap.makeOutput !== 'function' || typeof heap.typedArrayFromHeap !== 'function') {
      return fallback(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const [begin, size] = slice_util.parseSliceParams(x as unknown as Parameters<typeof slice_util.parseSliceParams>[0], args.attrs.begin, args.attrs.size);
    const out = heap.makeOutput(size, x.dtype);
    const count = size.reduce((a, b) => a * b, 1);
    if (count === 0) return out;
    const src = heap.typedArrayFromHeap(x);
    const dst = heap.typedArrayFromHeap(out);
    copySlice(src, x.shape, dst, begin, size);
    return out;
  };
  return { kernelName: 'Slice', backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** Copies the [begin, begin + size) box of a row-major `shape` array into `dst`, one contiguous run at a time. */
export function copySlice(
  src: Float32Array | Int32Array | Uint8Array,
  shape: number[],
  dst: Float32Array | Int32Array | Uint8Array,
  begin: number[],
  size: number[],
): void {
  const rank = shape.length;
  if (rank === 0) {
    dst.set(src.subarray(0, 1));
    return;
  }
  const strides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  // Axes after `d` are taken whole, so each run spans size[d] · strides[d] consecutive values.
  let d = rank - 1;
  while (d > 0 && begin[d] === 0 && size[d] === shape[d]) d--;
  const run = size[d] * strides[d];
  let base = 0;
  for (let i = 0; i <= d; i++) base += begin[i] * strides[i];
  const idx = new Array<number>(d).fill(0);
  let offset = base;
  let written = 0;
  const total = dst.length;
  while (written < total) {
    dst.set(src.subarray(offset, offset + run), written);
    written += run;
    // Odometer over axes 0..d-1.
    let a = d - 1;
    while (a >= 0) {
      idx[a]++;
      offset += strides[a];
      if (idx[a] < size[a]) break;
      offset -= idx[a] * strides[a];
      idx[a] = 0;
      a--;
    }
    if (a < 0) break;
  }
}
