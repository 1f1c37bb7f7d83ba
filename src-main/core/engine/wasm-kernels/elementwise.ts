import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { input } from './kernel-calls';
import { simdLoops, type BinaryOp, type UnaryOp } from './simd-loops';
import type { WasmHeapAccess } from './wasm-heap';

/**
 * Float32 elementwise kernels for wasm as SIMD loops on the heap: Add, Sub, Multiply, RealDiv on equal shapes or
 * with a one-value operand, and Relu, Square, Sqrt. On the threaded build the backend's own versions of these
 * (Add, Relu, Square above all) run at 2–5 ns per value on one thread; a training step runs them on ~100 M values
 * (residual-branch gradient sums, the optimiser's update, the activations). Anything else — other dtypes,
 * broadcasting between shapes — goes to the backend's kernel.
 */

const JS_BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

const JS_UNARY: Record<UnaryOp, (a: number) => number> = {
  relu: (a) => (a < 0 ? 0 : a),
  square: (a) => a * a,
  sqrt: (a) => Math.sqrt(a),
};

const sizeOf = (t: TensorInfo) => t.shape.reduce((p, d) => p * d, 1);

function heapOf(backend: KernelBackend): WasmHeapAccess | undefined {
  const heap = backend as unknown as Partial<WasmHeapAccess>;
  return typeof heap.makeOutput === 'function' && typeof heap.typedArrayFromHeap === 'function' ? (heap as WasmHeapAccess) : undefined;
}

export function makeBinaryConfig(original: KernelConfig, op: BinaryOp): KernelConfig {
  const fallback = original.kernelFunc;
  const kernelFunc = (args: { inputs: NamedTensorInfoMap; backend: KernelBackend }): TensorInfo => {
    const a = input(args.inputs, 'a');
    const b = input(args.inputs, 'b');
    const heap = heapOf(args.backend);
    const loops = simdLoops(args.backend);
    const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
    const aScalar = !sameShape && sizeOf(a) === 1;
    const bScalar = !sameShape && sizeOf(b) === 1;
    if (heap === undefined || loops === undefined || a.dtype !== 'float32' || b.dtype !== 'float32' || !(sameShape || aScalar || bScalar)) {
      return fallback(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    // A one-value operand may still add leading axes ([1, 1] with [5] is [1, 5]).
    const shape = sameShape ? a.shape : backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = heap.makeOutput(shape, 'float32');
    const n = sizeOf(out);
    if (n === 0) return out;
    // Views after the allocation (it may grow the heap).
    const o = heap.typedArrayFromHeap(out) as Float32Array;
    const x = heap.typedArrayFromHeap(a) as Float32Array;
    const y = heap.typedArrayFromHeap(b) as Float32Array;
    const quads = n >>> 2;
    const name = aScalar ? (`${op}AS` as const) : bScalar ? (`${op}BS` as const) : op;
    if (quads > 0) loops[name](o.byteOffset, x.byteOffset, y.byteOffset, quads);
    const f = JS_BINARY[op];
    for (let i = 4 * quads; i < n; i++) o[i] = f(aScalar ? x[0] : x[i], bScalar ? y[0] : y[i]);
    return out;
  };
  return { kernelName: original.kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

export function makeUnaryConfig(original: KernelConfig, op: UnaryOp): KernelConfig {
  const fallback = original.kernelFunc;
  const kernelFunc = (args: { inputs: NamedTensorInfoMap; backend: KernelBackend }): TensorInfo => {
    const xInfo = input(args.inputs, 'x');
    const heap = heapOf(args.backend);
    const loops = simdLoops(args.backend);
    if (heap === undefined || loops === undefined || xInfo.dtype !== 'float32') {
      return fallback(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const out = heap.makeOutput(xInfo.shape, 'float32');
    const n = sizeOf(out);
    if (n === 0) return out;
    const o = heap.typedArrayFromHeap(out) as Float32Array;
    const x = heap.typedArrayFromHeap(xInfo) as Float32Array;
    const quads = n >>> 2;
    if (quads > 0) loops[op](o.byteOffset, x.byteOffset, quads);
    const f = JS_UNARY[op];
    for (let i = 4 * quads; i < n; i++) o[i] = f(x[i]);
    return out;
  };
  return { kernelName: original.kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** Kernel name → the loop that replaces it. */
export const BINARY_KERNELS: Record<string, BinaryOp> = { Add: 'add', Sub: 'sub', Multiply: 'mul', RealDiv: 'div' };
export const UNARY_KERNELS: Record<string, UnaryOp> = { Relu: 'relu', Square: 'square', Sqrt: 'sqrt' };
