import type { KernelBackend } from '@tensorflow/tfjs';
import { assemble, Fn, I32, SIMD } from './wasm-asm';

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
export const BINARY_OPS = { add: SIMD.f32x4Add, sub: SIMD.f32x4Sub, mul: SIMD.f32x4Mul, div: SIMD.f32x4Div } as const;
export type BinaryOp = keyof typeof BINARY_OPS;
/** Unary maps `op(out, a, quads)`. relu is max(a, 0) (NaN stays NaN). */
export const UNARY_OPS = ['relu', 'square', 'sqrt'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

function elementwiseFunctions(): Fn[] {
  const fns: Fn[] = [];
  const loop = (name: string, params: number, value: (f: Fn, p: number) => void) => {
    const f = new Fn(name, Array.from({ length: params }, () => I32));
    const quads = params - 1;
    const end = f.local(I32);
    const p = f.local(I32);
    f.get(quads).i32(16).mul().set(end);
    f.forLoop(p, () => f.i32(0), end, 16, () => {
      f.get(0).get(p).add();
      value(f, p);
      f.store();
    });
    fns.push(f);
  };
  for (const [name, op] of Object.entries(BINARY_OPS)) {
    loop(name, 4, (f, p) => f.get(1).get(p).add().load().get(2).get(p).add().load().simd(op));
    loop(`${name}AS`, 4, (f, p) => f.get(1).loadF32().simd(SIMD.f32x4Splat).get(2).get(p).add().load().simd(op));
    loop(`${name}BS`, 4, (f, p) => f.get(1).get(p).add().load().get(2).loadF32().simd(SIMD.f32x4Splat).simd(op));
  }
  loop('relu', 3, (f, p) => f.get(1).get(p).add().load().f32(0).simd(SIMD.f32x4Splat).simd(SIMD.f32x4Max));
  loop('square', 3, (f, p) => {
    f.get(1).get(p).add().load();
    f.get(1).get(p).add().load().simd(SIMD.f32x4Mul);
  });
  loop('sqrt', 3, (f, p) => f.get(1).get(p).add().load().simd(SIMD.f32x4Sqrt));
  return fns;
}

const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];

/** Accumulates `term(p)` (the f32x4 at row pointer p, already on the stack) into two f64x2 locals. */
function addPromoted(f: Fn, value: number, lo: number, hi: number): void {
  f.get(lo).get(value).simd(SIMD.promoteLow).simd(SIMD.f64x2Add).set(lo);
  f.get(hi).get(value).get(value).shuffle(HIGH_HALF).simd(SIMD.promoteLow).simd(SIMD.f64x2Add).set(hi);
}

/** f64 output[j..j+3] (at byte offset 2·jBytes) += the two accumulators. */
function flush(f: Fn, out: number, jBytes: number, lo: number, hi: number, addr: number): void {
  f.get(out).get(jBytes).get(jBytes).add().add().set(addr);
  f.get(addr).get(addr).load(0).get(lo).simd(SIMD.f64x2Add).store(0);
  f.get(addr).get(addr).load(16).get(hi).simd(SIMD.f64x2Add).store(16);
}

function zero(f: Fn, ...locals: number[]): void {
  for (const l of locals) f.f32(0).simd(SIMD.f32x4Splat).set(l);
}

/** Two per-channel float64 sums over a block of rows: of g(a) and of h(a, b). */
function sumsFunction(name: string, twoInputs: boolean): Fn {
  // (u, v, rows, c, out1, out2) or (u, rows, c, out1, out2)
  const f = new Fn(name, twoInputs ? [I32, I32, I32, I32, I32, I32] : [I32, I32, I32, I32, I32]);
  const u = 0;
  const v = twoInputs ? 1 : 0;
  const base = twoInputs ? 2 : 1;
  const [rows, c, out1, out2] = [base, base + 1, base + 2, base + 3];
  const rowBytes = f.local(I32);
  const end = f.local(I32);
  const j = f.local(I32);
  const p = f.local(I32);
  const addr = f.local(I32);
  const V = 0x7b;
  const a1 = f.local(V);
  const a2 = f.local(V);
  const b1 = f.local(V);
  const b2 = f.local(V);
  const x = f.local(V);
  const y = f.local(V);
  const prod = f.local(V);
  f.get(c).i32(4).mul().set(rowBytes);
  f.get(rows).get(rowBytes).mul().set(end);
  f.forLoop(j, () => f.i32(0), rowBytes, 16, () => {
    zero(f, a1, a2, b1, b2);
    f.forLoop(p, () => f.get(j), end, { local: rowBytes }, () => {
      f.get(u).get(p).add().load().set(x);
      if (twoInputs) f.get(v).get(p).add().load().set(y);
      addPromoted(f, x, a1, a2);
      // Second sum: x² or x·y, each product formed in float64 from the promoted halves (exact).
      const other = twoInputs ? y : x;
      f.get(b1).get(x).simd(SIMD.promoteLow).get(other).simd(SIMD.promoteLow).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Add).set(b1);
      f.get(x).get(x).shuffle(HIGH_HALF).simd(SIMD.promoteLow).set(prod);
      f.get(b2).get(prod);
      if (twoInputs) f.get(y).get(y).shuffle(HIGH_HALF).simd(SIMD.promoteLow);
      else f.get(prod);
      f.simd(SIMD.f64x2Mul).simd(SIMD.f64x2Add).set(b2);
    });
    flush(f, out1, j, a1, a2, addr);
    flush(f, out2, j, b1, b2, addr);
  });
  return f;
}

/**
 * three: out = a·u + b·(v − m) + d, parameters (out, u, v, a, b, m, d, rows, c); otherwise out = a·(u − m) + d,
 * parameters (out, u, m, a, d, rows, c). Centring before scaling keeps float32 precision when the mean is large against the spread.
 */
function affineFunction(name: string, three: boolean): Fn {
  const f = new Fn(name, three ? [I32, I32, I32, I32, I32, I32, I32, I32, I32] : [I32, I32, I32, I32, I32, I32, I32]);
  const [out, u] = [0, 1];
  const v = three ? 2 : -1;
  const a = three ? 3 : 3;
  const b = three ? 4 : -1;
  const m = three ? 5 : 2;
  const d = three ? 6 : 4;
  const rows = three ? 7 : 5;
  const c = three ? 8 : 6;
  const rowBytes = f.local(I32);
  const end = f.local(I32);
  const o = f.local(I32);
  const j = f.local(I32);
  const p = f.local(I32);
  f.get(c).i32(4).mul().set(rowBytes);
  f.get(rows).get(rowBytes).mul().set(end);
  f.forLoop(o, () => f.i32(0), end, { local: rowBytes }, () => {
    f.forLoop(j, () => f.i32(0), rowBytes, 16, () => {
      f.get(o).get(j).add().set(p);
      f.get(out).get(p).add(); // store address
      if (three) {
        f.get(a).get(j).add().load().get(u).get(p).add().load().simd(SIMD.f32x4Mul);
        f.get(b).get(j).add().load();
        f.get(v).get(p).add().load().get(m).get(j).add().load().simd(SIMD.f32x4Sub);
        f.simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add);
      } else {
        f.get(a).get(j).add().load();
        f.get(u).get(p).add().load().get(m).get(j).add().load().simd(SIMD.f32x4Sub);
        f.simd(SIMD.f32x4Mul);
      }
      f.get(d).get(j).add().load().simd(SIMD.f32x4Add);
      f.store();
    });
  });
  return f;
}

function reluGradFunction(): Fn {
  const f = new Fn('reluGrad', [I32, I32, I32, I32]);
  const [out, dy, x, quads] = [0, 1, 2, 3];
  const end = f.local(I32);
  const p = f.local(I32);
  f.get(quads).i32(16).mul().set(end);
  f.forLoop(p, () => f.i32(0), end, 16, () => {
    f.get(out).get(p).add();
    f.get(dy).get(p).add().load();
    f.get(x).get(p).add().load().f32(0).simd(SIMD.f32x4Splat).simd(SIMD.f32x4Gt);
    f.simd(SIMD.and).store();
  });
  return f;
}

function maxPoolTapFunction(): Fn {
  const f = new Fn('maxPoolTap', [I32, I32, I32, I32, I32, I32, I32, I32]);
  const [dx, x, y, dy, done, count, c, xStep] = [0, 1, 2, 3, 4, 5, 6, 7];
  const V = 0x7b;
  const rowBytes = f.local(I32);
  const i = f.local(I32);
  const j = f.local(I32);
  const xo = f.local(I32); // byte offset of the pixel in x/dx
  const yo = f.local(I32); // byte offset of the pixel in y/dy/done
  const mask = f.local(V);
  f.get(c).i32(4).mul().set(rowBytes);
  f.i32(0).set(xo);
  f.i32(0).set(yo);
  f.forLoop(i, () => f.i32(0), count, 1, () => {
    f.forLoop(j, () => f.i32(0), rowBytes, 16, () => {
      // mask = (x == y) & ~done
      f.get(x).get(xo).add().get(j).add().load();
      f.get(y).get(yo).add().get(j).add().load();
      f.simd(SIMD.f32x4Eq);
      f.get(done).get(yo).add().get(j).add().load();
      f.simd(SIMD.andNot).set(mask);
      // dx += dy & mask
      f.get(dx).get(xo).add().get(j).add();
      f.get(dx).get(xo).add().get(j).add().load();
      f.get(dy).get(yo).add().get(j).add().load().get(mask).simd(SIMD.and);
      f.simd(SIMD.f32x4Add).store();
      // done |= mask
      f.get(done).get(yo).add().get(j).add();
      f.get(done).get(yo).add().get(j).add().load().get(mask).simd(SIMD.or).store();
    });
    f.inc(xo, { local: xStep });
    f.inc(yo, { local: rowBytes });
  });
  return f;
}

function copyRowsFunction(): Fn {
  const f = new Fn('copyRows', [I32, I32, I32, I32, I32, I32]);
  const [dst, src, rows, rowBytes, dstStride, srcStride] = [0, 1, 2, 3, 4, 5];
  const r = f.local(I32);
  const j = f.local(I32);
  f.forLoop(r, () => f.i32(0), rows, 1, () => {
    f.forLoop(j, () => f.i32(0), rowBytes, 16, () => {
      f.get(dst).get(j).add();
      f.get(src).get(j).add().load();
      f.store();
    });
    f.inc(dst, { local: dstStride });
    f.inc(src, { local: srcStride });
  });
  return f;
}

/** i8x16.shuffle byte indices selecting 32-bit lanes (0–3 from the first operand, 4–7 from the second). */
function lanes(...l: number[]): number[] {
  return l.flatMap((x) => [4 * x, 4 * x + 1, 4 * x + 2, 4 * x + 3]);
}

function transposeFunction(): Fn {
  const f = new Fn('transpose', [I32, I32, I32, I32, I32, I32]);
  const [dst, src, rows, cols, dstStride, srcStride] = [0, 1, 2, 3, 4, 5];
  const V = 0x7b;
  const i = f.local(I32);
  const j = f.local(I32);
  const s = f.local(I32); // src address of block row i, column j
  const d = f.local(I32); // dst address of block row j, column i
  const r = [f.local(V), f.local(V), f.local(V), f.local(V)];
  const t = [f.local(V), f.local(V), f.local(V), f.local(V)];
  f.forLoop(i, () => f.i32(0), rows, 4, () => {
    f.forLoop(j, () => f.i32(0), cols, 4, () => {
      f.get(src).get(i).get(srcStride).mul().add().get(j).i32(4).mul().add().set(s);
      for (let k = 0; k < 4; k++) f.get(s).i32(k).get(srcStride).mul().add().load().set(r[k]);
      f.get(r[0]).get(r[1]).shuffle(lanes(0, 4, 1, 5)).set(t[0]);
      f.get(r[2]).get(r[3]).shuffle(lanes(0, 4, 1, 5)).set(t[1]);
      f.get(r[0]).get(r[1]).shuffle(lanes(2, 6, 3, 7)).set(t[2]);
      f.get(r[2]).get(r[3]).shuffle(lanes(2, 6, 3, 7)).set(t[3]);
      f.get(dst).get(j).get(dstStride).mul().add().get(i).i32(4).mul().add().set(d);
      const out: Array<[number, number, number[]]> = [
        [t[0], t[1], lanes(0, 1, 4, 5)],
        [t[0], t[1], lanes(2, 3, 6, 7)],
        [t[2], t[3], lanes(0, 1, 4, 5)],
        [t[2], t[3], lanes(2, 3, 6, 7)],
      ];
      out.forEach(([a, b, l], k) => {
        f.get(d).i32(k).get(dstStride).mul().add();
        f.get(a).get(b).shuffle(l).store();
      });
    });
  });
  return f;
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
  const functions = [
    sumsFunction('channelSums', false),
    sumsFunction('gradSums', true),
    affineFunction('affine3', true),
    affineFunction('normalize', false),
    reluGradFunction(),
    maxPoolTapFunction(),
    copyRowsFunction(),
    transposeFunction(),
    ...elementwiseFunctions(),
  ];
  const bytes = assemble(functions, shared);
  if (!WebAssembly.validate(bytes)) return undefined;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return instance.exports as unknown as SimdLoops;
}
