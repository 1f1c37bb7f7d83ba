import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

/**
 * Calls the wasm backend's own registered kernels from inside a kernel we register, the way backends compose
 * kernels internally: no engine bookkeeping, no gradient tape, no JavaScript-side data copies. Every intermediate
 * result is tracked and released by `dispose()` unless handed out with `keep()`.
 */
export class KernelCalls {
  private readonly temps: TensorInfo[] = [];

  constructor(
    readonly backend: KernelBackend,
    private readonly backendName = 'wasm',
  ) {}

  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const config = tf.getKernel(kernelName, this.backendName);
    if (config === undefined) throw new Error(`kernel ${kernelName} is not registered for ${this.backendName}`);
    const out = config.kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out)) throw new Error(`kernel ${kernelName} returned several outputs; use runMany`);
    this.temps.push(out);
    return out;
  }

  /** For kernels with several outputs (e.g. MaxPoolWithArgmax). */
  runMany(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo[] {
    const config = tf.getKernel(kernelName, this.backendName);
    if (config === undefined) throw new Error(`kernel ${kernelName} is not registered for ${this.backendName}`);
    const out = config.kernelFunc({ inputs, attrs, backend: this.backend });
    const list = Array.isArray(out) ? out : [out];
    this.temps.push(...list);
    return list;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  sum(x: TensorInfo, axis: number[]): TensorInfo {
    return this.run('Sum', { x }, { axis, keepDims: false });
  }

  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  /** Stacks equally shaped tensors along a new leading axis (wasm's Pack takes a list, not a named map). */
  stack(list: TensorInfo[]): TensorInfo {
    return this.run('Pack', list as unknown as NamedTensorInfoMap, { axis: 0 });
  }

  /** Tracks a tensor made outside run() (e.g. backend.makeTensorInfo) so dispose() releases it. */
  adopt(x: TensorInfo): TensorInfo {
    this.temps.push(x);
    return x;
  }

  /** Marks a result as the kernel's output so that dispose() leaves it alive. */
  keep(x: TensorInfo): TensorInfo {
    const at = this.temps.indexOf(x);
    if (at >= 0) this.temps.splice(at, 1);
    return x;
  }

  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/** A kernel input by name; tfjs types the map as partial, a missing input is a caller bug. */
export function input(inputs: NamedTensorInfoMap, name: string): TensorInfo {
  const t = inputs[name];
  if (t === undefined) throw new Error(`kernel input "${name}" missing`);
  return t;
}

/**
 * Wraps a JavaScript typed array as a backend tensor: wasm's `makeOutput` copies the values onto its heap, the cpu
 * backend's `makeTensorInfo` keeps them.
 */
interface TensorMaker {
  makeOutput?(shape: number[], dtype: 'int32' | 'float32', memoryOffset: undefined, values: Int32Array | Float32Array): TensorInfo;
  makeTensorInfo?(shape: number[], dtype: 'int32' | 'float32', values: Int32Array | Float32Array): TensorInfo;
}

export function makeTensor(
  backend: KernelBackend,
  shape: number[],
  dtype: 'int32' | 'float32',
  values: Int32Array | Float32Array,
): TensorInfo {
  const maker = backend as unknown as TensorMaker;
  if (typeof maker.makeOutput === 'function') return maker.makeOutput.call(backend, shape, dtype, undefined, values);
  if (typeof maker.makeTensorInfo === 'function') return maker.makeTensorInfo.call(backend, shape, dtype, values);
  throw new Error('backend cannot make tensors from arrays');
}

/** Runs `body` with a fresh KernelCalls, keeps its returned result and releases every other intermediate. */
export function withKernelCalls(backend: KernelBackend, body: (k: KernelCalls) => TensorInfo): TensorInfo {
  const k = new KernelCalls(backend);
  try {
    return k.keep(body(k));
  } finally {
    k.dispose();
  }
}
