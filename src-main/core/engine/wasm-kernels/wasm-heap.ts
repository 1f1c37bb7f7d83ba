import type { TensorInfo } from '@tensorflow/tfjs';

/**
 * The parts of BackendWasm that let a kernel read its inputs and write its output in place on the wasm heap.
 * Views must be taken after the last allocation (makeOutput): growing the heap replaces its buffer.
 */
export interface WasmHeapAccess {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}
