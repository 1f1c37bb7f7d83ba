import type { KernelBackend } from '@tensorflow/tfjs';
import { Op, SimdOp, WasmModuleBuilder, type FunctionBuilder, type ValType } from '../../wasm/encoder';

/**
 * Elementwise and per-channel loops as WebAssembly SIMD, running on the tfjs wasm backend's own memory. The
 * backend's single-threaded elementwise kernels and plain JavaScript loops both take 3–6 ns per element on the
 * activations of a training step; 4-lane SIMD over contiguous channels takes well under 1 ns. All loops work on a
 * row-major [rows, c] view with c a multiple of 4 (the callers fall back to JavaScript otherwise); pointers are
 * byte addresses in the backend's heap.
 *
 * Per-channel sums accumulate in float64 (two f64x2 per 4 channels), so statistics of millions of values keep
 * float32 precision. They run over a block of rows with the channel block outermost, keeping the accumulators in
 * registers; callers pass blocks that fit the L1 cache and add the block sums into float64 outputs.
 */
interface SimdCore {
  /** sum[j] += Σ_r x[r, j]; squares[j] += Σ_r x[r, j]² (float64 outputs). */
  channelSums(x: number, rows: number, c: number, sum: number, squares: number): void;
  /** s1[j] += Σ_r dy[r, j]; sxy[j] += Σ_r dy[r, j]·x[r, j] (float64 outputs). */
  gradSums(dy: number, x: number, rows: number, c: number, s1: number, sxy: number): void;
  /** out[r, j] = a[j]·u[r, j] + b[j]·(v[r, j] − m[j]) + d[j] over `rows` rows (float32 coefficient vectors). */
  affine3(out: number, u: number, v: number, a: number, b: number, m: number, d: number, rows: number, c: number): void;
  /** out[r, j] = a[j]·(u[r, j] − m[j]) + d[j]. */
  normalize(out: number, u: number, m: number, a: number, d: number, rows: number, c: number): void;
  /** out[i] = x[i] > 0 ? dy[i] : 0 for i < 4·quads. */
  reluGrad(out: number, dy: number, x: number, quads: number): void;
  /**
   * One max-pool window tap over `count` output pixels of c channels: where x (at the tap, advancing xStep bytes
   * per pixel) equals the pooled maximum y and the output value has no winner yet (done mask), dx at the tap
   * gets dy and the value is marked done. y, dy and done advance 4·c bytes per pixel.
   */
  maxPoolTap(dx: number, x: number, y: number, dy: number, done: number, count: number, c: number, xStep: number): void;
  /** Copies `rows` rows of rowBytes (a multiple of 16) from src (rows srcStride bytes apart) to dst (dstStride apart). */
  copyRows(dst: number, src: number, rows: number, rowBytes: number, dstStride: number, srcStride: number): void;
  /**
   * dst[j, i] = src[i, j] for i < rows, j < cols (both multiples of 4) of float32 matrices whose rows are srcStride
   * and dstStride bytes apart; 4×4 blocks transposed in registers.
   */
  transpose(dst: number, src: number, rows: number, cols: number, dstStride: number, srcStride: number): void;
}

/** The loops, including the elementwise maps over 4·quads float32 values (names like `add`, `addAS`, `relu`). */
export type SimdLoops = SimdCore & Record<`${BinaryOp}${'' | 'AS' | 'BS'}` | UnaryOp, (out: number, ...rest: number[]) => void>;

/** Binary maps: `op(out, a, b, quads)`, with `opAS` (a is one scalar) and `opBS` (b is one scalar). */
export const BINARY_OPS = { add: SimdOp.f32x4Add, sub: SimdOp.f32x4Sub, mul: SimdOp.f32x4Mul, div: SimdOp.f32x4Div } as const;
export type BinaryOp = keyof typeof BINARY_OPS;
/** Unary maps `op(out, a, quads)`. relu is max(a, 0) (NaN stays NaN). */
export const UNARY_OPS = ['relu', 'square', 'sqrt'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** `n` i32 parameters (the loops take byte addresses and counts). */
function i32s(n: number): ValType[] {
  return Array.from({ length: n }, () => 'i32');
}

function emitElementwise(m: WasmModuleBuilder): void {
  const loop = (name: string, params: number, value: (f: FunctionBuilder, p: number) => void) => {
    const f = m.func(name, i32s(params));
    const quads = params - 1;
    const end = f.local('i32');
    const p = f.local('i32');
    f.localGet(quads).i32Const(16).op(Op.i32Mul).localSet(end);
    f.forLoop(p, () => f.i32Const(0), end, 16, () => {
      f.localGet(0).localGet(p).op(Op.i32Add);
      value(f, p);
      f.v128Store();
    });
  };
  for (const [name, op] of Object.entries(BINARY_OPS)) {
    loop(name, 4, (f, p) => f.localGet(1).localGet(p).op(Op.i32Add).v128Load().localGet(2).localGet(p).op(Op.i32Add).v128Load().simd(op));
    loop(`${name}AS`, 4, (f, p) => f.localGet(1).f32Load().simd(SimdOp.f32x4Splat).localGet(2).localGet(p).op(Op.i32Add).v128Load().simd(op));
    loop(`${name}BS`, 4, (f, p) => f.localGet(1).localGet(p).op(Op.i32Add).v128Load().localGet(2).f32Load().simd(SimdOp.f32x4Splat).simd(op));
  }
  loop('relu', 3, (f, p) => f.localGet(1).localGet(p).op(Op.i32Add).v128Load().f32Const(0).simd(SimdOp.f32x4Splat).simd(SimdOp.f32x4Max));
  loop('square', 3, (f, p) => {
    f.localGet(1).localGet(p).op(Op.i32Add).v128Load();
    f.localGet(1).localGet(p).op(Op.i32Add).v128Load().simd(SimdOp.f32x4Mul);
  });
  loop('sqrt', 3, (f, p) => f.localGet(1).localGet(p).op(Op.i32Add).v128Load().simd(SimdOp.f32x4Sqrt));
}

const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];

/** Accumulates `term(p)` (the f32x4 at row pointer p, already on the stack) into two f64x2 locals. */
function addPromoted(f: FunctionBuilder, value: number, lo: number, hi: number): void {
  f.localGet(lo).localGet(value).simd(SimdOp.f64x2PromoteLowF32x4).simd(SimdOp.f64x2Add).localSet(lo);
  f.localGet(hi).localGet(value).localGet(value).shuffle(HIGH_HALF).simd(SimdOp.f64x2PromoteLowF32x4).simd(SimdOp.f64x2Add).localSet(hi);
}

/** f64 output[j..j+3] (at byte offset 2·jBytes) += the two accumulators. */
function flush(f: FunctionBuilder, out: number, jBytes: number, lo: number, hi: number, addr: number): void {
  f.localGet(out).localGet(jBytes).localGet(jBytes).op(Op.i32Add).op(Op.i32Add).localSet(addr);
  f.localGet(addr).localGet(addr).v128Load(0).localGet(lo).simd(SimdOp.f64x2Add).v128Store(0);
  f.localGet(addr).localGet(addr).v128Load(16).localGet(hi).simd(SimdOp.f64x2Add).v128Store(16);
}

function zero(f: FunctionBuilder, ...locals: number[]): void {
  for (const l of locals) f.f32Const(0).simd(SimdOp.f32x4Splat).localSet(l);
}

/** Two per-channel float64 sums over a block of rows: of g(a) and of h(a, b). */
function emitSums(m: WasmModuleBuilder, name: string, twoInputs: boolean): void {
  // (u, v, rows, c, out1, out2) or (u, rows, c, out1, out2)
  const f = m.func(name, twoInputs ? i32s(6) : i32s(5));
  const u = 0;
  const v = twoInputs ? 1 : 0;
  const base = twoInputs ? 2 : 1;
  const [rows, c, out1, out2] = [base, base + 1, base + 2, base + 3];
  const rowBytes = f.local('i32');
  const end = f.local('i32');
  const j = f.local('i32');
  const p = f.local('i32');
  const addr = f.local('i32');
  const a1 = f.local('v128');
  const a2 = f.local('v128');
  const b1 = f.local('v128');
  const b2 = f.local('v128');
  const x = f.local('v128');
  const y = f.local('v128');
  const prod = f.local('v128');
  f.localGet(c).i32Const(4).op(Op.i32Mul).localSet(rowBytes);
  f.localGet(rows).localGet(rowBytes).op(Op.i32Mul).localSet(end);
  f.forLoop(j, () => f.i32Const(0), rowBytes, 16, () => {
    zero(f, a1, a2, b1, b2);
    f.forLoop(p, () => f.localGet(j), end, { local: rowBytes }, () => {
      f.localGet(u).localGet(p).op(Op.i32Add).v128Load().localSet(x);
      if (twoInputs) f.localGet(v).localGet(p).op(Op.i32Add).v128Load().localSet(y);
      addPromoted(f, x, a1, a2);
      // Second sum: x² or x·y, each product formed in float64 from the promoted halves (exact).
      const other = twoInputs ? y : x;
      f.localGet(b1).localGet(x).simd(SimdOp.f64x2PromoteLowF32x4).localGet(other).simd(SimdOp.f64x2PromoteLowF32x4);
      f.simd(SimdOp.f64x2Mul).simd(SimdOp.f64x2Add).localSet(b1);
      f.localGet(x).localGet(x).shuffle(HIGH_HALF).simd(SimdOp.f64x2PromoteLowF32x4).localSet(prod);
      f.localGet(b2).localGet(prod);
      if (twoInputs) f.localGet(y).localGet(y).shuffle(HIGH_HALF).simd(SimdOp.f64x2PromoteLowF32x4);
      else f.localGet(prod);
      f.simd(SimdOp.f64x2Mul).simd(SimdOp.f64x2Add).localSet(b2);
    });
    flush(f, out1, j, a1, a2, addr);
    flush(f, out2, j, b1, b2, addr);
  });
}

/**
 * three: out = a·u + b·(v − m) + d, parameters (out, u, v, a, b, m, d, rows, c); otherwise out = a·(u − m) + d,
 * parameters (out, u, m, a, d, rows, c). Centring before scaling keeps float32 precision when the mean is large against the spread.
 */
function emitAffine(mod: WasmModuleBuilder, name: string, three: boolean): void {
  const f = mod.func(name, three ? i32s(9) : i32s(7));
  const [out, u] = [0, 1];
  const v = three ? 2 : -1;
  const a = three ? 3 : 3;
  const b = three ? 4 : -1;
  const m = three ? 5 : 2;
  const d = three ? 6 : 4;
  const rows = three ? 7 : 5;
  const c = three ? 8 : 6;
  const rowBytes = f.local('i32');
  const end = f.local('i32');
  const o = f.local('i32');
  const j = f.local('i32');
  const p = f.local('i32');
  f.localGet(c).i32Const(4).op(Op.i32Mul).localSet(rowBytes);
  f.localGet(rows).localGet(rowBytes).op(Op.i32Mul).localSet(end);
  f.forLoop(o, () => f.i32Const(0), end, { local: rowBytes }, () => {
    f.forLoop(j, () => f.i32Const(0), rowBytes, 16, () => {
      f.localGet(o).localGet(j).op(Op.i32Add).localSet(p);
      f.localGet(out).localGet(p).op(Op.i32Add); // store address
      if (three) {
        f.localGet(a).localGet(j).op(Op.i32Add).v128Load().localGet(u).localGet(p).op(Op.i32Add).v128Load().simd(SimdOp.f32x4Mul);
        f.localGet(b).localGet(j).op(Op.i32Add).v128Load();
        f.localGet(v).localGet(p).op(Op.i32Add).v128Load().localGet(m).localGet(j).op(Op.i32Add).v128Load().simd(SimdOp.f32x4Sub);
        f.simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add);
      } else {
        f.localGet(a).localGet(j).op(Op.i32Add).v128Load();
        f.localGet(u).localGet(p).op(Op.i32Add).v128Load().localGet(m).localGet(j).op(Op.i32Add).v128Load().simd(SimdOp.f32x4Sub);
        f.simd(SimdOp.f32x4Mul);
      }
      f.localGet(d).localGet(j).op(Op.i32Add).v128Load().simd(SimdOp.f32x4Add);
      f.v128Store();
    });
  });
}

function emitReluGrad(m: WasmModuleBuilder): void {
  const f = m.func('reluGrad', i32s(4));
  const [out, dy, x, quads] = [0, 1, 2, 3];
  const end = f.local('i32');
  const p = f.local('i32');
  f.localGet(quads).i32Const(16).op(Op.i32Mul).localSet(end);
  f.forLoop(p, () => f.i32Const(0), end, 16, () => {
    f.localGet(out).localGet(p).op(Op.i32Add);
    f.localGet(dy).localGet(p).op(Op.i32Add).v128Load();
    f.localGet(x).localGet(p).op(Op.i32Add).v128Load().f32Const(0).simd(SimdOp.f32x4Splat).simd(SimdOp.f32x4Gt);
    f.simd(SimdOp.v128And).v128Store();
  });
}

function emitMaxPoolTap(m: WasmModuleBuilder): void {
  const f = m.func('maxPoolTap', i32s(8));
  const [dx, x, y, dy, done, count, c, xStep] = [0, 1, 2, 3, 4, 5, 6, 7];
  const rowBytes = f.local('i32');
  const i = f.local('i32');
  const j = f.local('i32');
  const xo = f.local('i32'); // byte offset of the pixel in x/dx
  const yo = f.local('i32'); // byte offset of the pixel in y/dy/done
  const mask = f.local('v128');
  f.localGet(c).i32Const(4).op(Op.i32Mul).localSet(rowBytes);
  f.i32Const(0).localSet(xo);
  f.i32Const(0).localSet(yo);
  f.forLoop(i, () => f.i32Const(0), count, 1, () => {
    f.forLoop(j, () => f.i32Const(0), rowBytes, 16, () => {
      // mask = (x == y) & ~done
      f.localGet(x).localGet(xo).op(Op.i32Add).localGet(j).op(Op.i32Add).v128Load();
      f.localGet(y).localGet(yo).op(Op.i32Add).localGet(j).op(Op.i32Add).v128Load();
      f.simd(SimdOp.f32x4Eq);
      f.localGet(done).localGet(yo).op(Op.i32Add).localGet(j).op(Op.i32Add).v128Load();
      f.simd(SimdOp.v128AndNot).localSet(mask);
      // dx += dy & mask
      f.localGet(dx).localGet(xo).op(Op.i32Add).localGet(j).op(Op.i32Add);
      f.localGet(dx).localGet(xo).op(Op.i32Add).localGet(j).op(Op.i32Add).v128Load();
      f.localGet(dy).localGet(yo).op(Op.i32Add).localGet(j).op(Op.i32Add).v128Load().localGet(mask).simd(SimdOp.v128And);
      f.simd(SimdOp.f32x4Add).v128Store();
      // done |= mask
      f.localGet(done).localGet(yo).op(Op.i32Add).localGet(j).op(Op.i32Add);
      f.localGet(done).localGet(yo).op(Op.i32Add).localGet(j).op(Op.i32Add).v128Load().localGet(mask).simd(SimdOp.v128Or).v128Store();
    });
    f.addTo(xo, { local: xStep });
    f.addTo(yo, { local: rowBytes });
  });
}

function emitCopyRows(m: WasmModuleBuilder): void {
  const f = m.func('copyRows', i32s(6));
  const [dst, src, rows, rowBytes, dstStride, srcStride] = [0, 1, 2, 3, 4, 5];
  const r = f.local('i32');
  const j = f.local('i32');
  f.forLoop(r, () => f.i32Const(0), rows, 1, () => {
    f.forLoop(j, () => f.i32Const(0), rowBytes, 16, () => {
      f.localGet(dst).localGet(j).op(Op.i32Add);
      f.localGet(src).localGet(j).op(Op.i32Add).v128Load();
      f.v128Store();
    });
    f.addTo(dst, { local: dstStride });
    f.addTo(src, { local: srcStride });
  });
}

/** i8x16.shuffle byte indices selecting 32-bit lanes (0–3 from the first operand, 4–7 from the second). */
function lanes(...l: number[]): number[] {
  return l.flatMap((x) => [4 * x, 4 * x + 1, 4 * x + 2, 4 * x + 3]);
}

function emitTranspose(m: WasmModuleBuilder): void {
  const f = m.func('transpose', i32s(6));
  const [dst, src, rows, cols, dstStride, srcStride] = [0, 1, 2, 3, 4, 5];
  const i = f.local('i32');
  const j = f.local('i32');
  const s = f.local('i32'); // src address of block row i, column j
  const d = f.local('i32'); // dst address of block row j, column i
  const r = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  const t = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  f.forLoop(i, () => f.i32Const(0), rows, 4, () => {
    f.forLoop(j, () => f.i32Const(0), cols, 4, () => {
      f.localGet(src).localGet(i).localGet(srcStride).op(Op.i32Mul).op(Op.i32Add).localGet(j).i32Const(4).op(Op.i32Mul).op(Op.i32Add).localSet(s);
      for (let k = 0; k < 4; k++) f.localGet(s).i32Const(k).localGet(srcStride).op(Op.i32Mul).op(Op.i32Add).v128Load().localSet(r[k]);
      f.localGet(r[0]).localGet(r[1]).shuffle(lanes(0, 4, 1, 5)).localSet(t[0]);
      f.localGet(r[2]).localGet(r[3]).shuffle(lanes(0, 4, 1, 5)).localSet(t[1]);
      f.localGet(r[0]).localGet(r[1]).shuffle(lanes(2, 6, 3, 7)).localSet(t[2]);
      f.localGet(r[2]).localGet(r[3]).shuffle(lanes(2, 6, 3, 7)).localSet(t[3]);
      f.localGet(dst).localGet(j).localGet(dstStride).op(Op.i32Mul).op(Op.i32Add).localGet(i).i32Const(4).op(Op.i32Mul).op(Op.i32Add).localSet(d);
      const out: Array<[number, number, number[]]> = [
        [t[0], t[1], lanes(0, 1, 4, 5)],
        [t[0], t[1], lanes(2, 3, 6, 7)],
        [t[2], t[3], lanes(0, 1, 4, 5)],
        [t[2], t[3], lanes(2, 3, 6, 7)],
      ];
      out.forEach(([a, b, l], k) => {
        f.localGet(d).i32Const(k).localGet(dstStride).op(Op.i32Mul).op(Op.i32Add);
        f.localGet(a).localGet(b).shuffle(l).v128Store();
      });
    });
  });
}

interface EmscriptenMemory {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
}

/** The backend's heap buffer as it is now (take it again after any allocation: growing replaces it). */
export function heapBuffer(backend: KernelBackend): ArrayBufferLike {
  return (backend as unknown as { wasm: EmscriptenMemory }).wasm.HEAPU8.buffer;
}

/**
 * Scratch space on the backend's heap, freed when `body` returns. Views on it must be taken inside `body` and
 * after any further heap allocation (which may grow, and so replace, the heap buffer).
 */
export function withScratch<T>(backend: KernelBackend, bytes: number, body: (pointer: number) => T): T {
  const module = (backend as unknown as { wasm: EmscriptenMemory }).wasm;
  const pointer = module._malloc(bytes) >>> 0;
  if (pointer === 0) throw new Error(`wasm heap: cannot allocate ${bytes} bytes`);
  try {
    return body(pointer);
  } finally {
    module._free(pointer);
  }
}


const cache = new WeakMap<object, SimdLoops | null>();

/** The loops bound to this backend's memory, or undefined when it is not a wasm backend (or SIMD is missing). */
export function simdLoops(backend: KernelBackend): SimdLoops | undefined {
  const module = (backend as unknown as { wasm?: EmscriptenMemory }).wasm;
  if (module === undefined) return undefined;
  let loops = cache.get(module);
  if (loops === undefined) {
    loops = instantiate(module) ?? null;
    cache.set(module, loops);
  }
  return loops ?? undefined;
}

function instantiate(module: EmscriptenMemory): SimdLoops | undefined {
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  // The backend's heap, imported: the loops read and write tensors in place. Emscripten declares the threads
  // build's shared memory with a maximum of 4 GiB (65536 pages).
  const m = new WasmModuleBuilder(
    shared ? { kind: 'imported', minPages: 0, maxPages: 65536, shared: true } : { kind: 'imported', minPages: 0 },
  );
  emitSums(m, 'channelSums', false);
  emitSums(m, 'gradSums', true);
  emitAffine(m, 'affine3', true);
  emitAffine(m, 'normalize', false);
  emitReluGrad(m);
  emitMaxPoolTap(m);
  emitCopyRows(m);
  emitTranspose(m);
  emitElementwise(m);
  const bytes = m.encode();
  if (!WebAssembly.validate(bytes)) return undefined;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return instance.exports as unknown as SimdLoops;
}
