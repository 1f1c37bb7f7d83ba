/** Typed arrays into the contract's packed form (little-endian bytes in base64). */
import type { PackedArray } from '../../api/datasets';
import type { PackedDtype } from '../../api/packed-array';

type Packable = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

const DTYPE_OF = new Map<unknown, PackedDtype>([
  [Uint8Array, 'uint8'],
  [Int8Array, 'int8'],
  [Uint16Array, 'uint16'],
  [Int16Array, 'int16'],
  [Uint32Array, 'uint32'],
  [Int32Array, 'int32'],
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
]);

export function pack(values: Packable): PackedArray {
  const dtype = DTYPE_OF.get(values.constructor);
  if (!dtype) throw new Error(`cannot pack ${values.constructor.name}`);
  return { dtype, length: values.length, base64: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64') };
}
