/**
 * Typed arrays across the contract: columnar per-patch data (100,000 lon/lat pairs and codes) is sent as
 * little-endian bytes in base64 rather than as JSON numbers, about a third of the size and decoded with one
 * copy. No zod and no Node modules here: the renderer imports `decodePacked`.
 */

export const PACKED_DTYPES = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'] as const;
export type PackedDtype = (typeof PACKED_DTYPES)[number];

export interface Packed {
  dtype: PackedDtype;
  /** Number of values (not bytes). */
  length: number;
  /** The values' little-endian bytes, base64 (RFC 4648, with padding). */
  base64: string;
}

export type PackedTypedArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

const CTORS = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

export function bytesPerValue(dtype: PackedDtype): number {
  return CTORS[dtype].BYTES_PER_ELEMENT;
}

function base64ToBytes(text: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(text, 'base64'));
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The typed array of a packed column. Assumes a little-endian machine (every platform Terrafuse runs on); throws
 * when the byte count does not match `length`.
 */
export function decodePacked(packed: Packed): PackedTypedArray {
  const Ctor = CTORS[packed.dtype];
  if (!Ctor) throw new Error(`unknown packed dtype: ${String(packed.dtype)}`);
  const bytes = base64ToBytes(packed.base64);
  if (bytes.byteLength !== packed.length * Ctor.BYTES_PER_ELEMENT) {
    throw new Error(`packed ${packed.dtype} array: ${bytes.byteLength} bytes for ${packed.length} values`);
  }
  // A copy into a fresh ArrayBuffer is aligned for every element size (Node's Buffer pool may not be).
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return new Ctor(buffer, 0, packed.length);
}
