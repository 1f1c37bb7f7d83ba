/**
 * WebAssembly SIMD versions of the hot batch kernels (Sentinel-2, Sentinel-1, class masks), emitted from the
 * TypeScript below by wasm-encoder.ts. Plain JavaScript cannot vectorise: the bilinear crop + resize of a 12-band
 * Sentinel-2 patch costs ~0.4-0.5 ms there, ~4x what the loader target (5,000 patches/s on 2 cores) allows. Here
 * four bands are one f32x4: a pixel of 12 interleaved bands is three vectors, loaded straight from the Uint16
 * record (v128.load16x4_u) and converted in registers.
 *
 * Memory of one instance (each thread has its own; nothing is shared):
 *   TABLES  the patch's Sampling tables (augment.ts) copied in: A0 A1 NA B0 B1 NB (i32 pixel indices) WA WB (f32)
 *   SRC     one cached record, copied in from the cache (Uint16 / Int16 / Uint8 values)
 *   OUT     the patch's output (Float32 or Int32), copied out into the batch
 * The two copies are plain memcpy (TypedArray.set); the record then sits in L2 for the gathers of a rotated or
 * transposed read, which is what makes them worth their cost.
 *
 * Semantics are those of the JavaScript kernels in assemble.ts (out = (bilinear or nearest sample) * k + m), in
 * float32 arithmetic instead of float64: results agree to ~1e-6 of the normalised range.
 */
import type { Sampling } from './augment';
import { FunctionBuilder, Op, SimdMemOp, SimdOp, WasmModuleBuilder } from './wasm-encoder';

/** Byte offsets of the regions of an instance's memory for patches of side `size`. */
export interface KernelLayout {
  size: number;
  a0: number;
  a1: number;
  na: number;
  b0: number;
  b1: number;
  nb: number;
  wa: number;
  wb: number;
  src: number;
  out: number;
  pages: number;
}

const S2_CHANNELS = 12;
const S1_CHANNELS = 2;

export function kernelLayout(size: number): KernelLayout {
  const table = size * 4;
  const align = (n: number) => Math.ceil(n / 64) * 64;
  const t = (k: number) => k * align(table);
  const src = align(t(8));
  const out = align(src + size * size * S2_CHANNELS * 2);
  const end = out + size * size * S2_CHANNELS * 4;
  return { size, a0: t(0), a1: t(1), na: t(2), b0: t(3), b1: t(4), nb: t(5), wa: t(6), wb: t(7), src, out, pages: Math.ceil(end / 65536) };
}

/** Loops `y` over [y0, y1) and `x` over [0, size) (x as a byte offset into the tables, step 4 * xStep). */
function rows(f: FunctionBuilder, L: KernelLayout, y: number, y1: number, xb: number, xStep: number, rowBody: () => void, pixelBody: () => void): void {
  f.doWhile(() => {
    rowBody();
    f.i32Const(0).localSet(xb);
    f.doWhile(pixelBody, () => {
      f.localGet(xb).i32Const(4 * xStep).op(Op.i32Add).localTee(xb).i32Const(L.size * 4).op(Op.i32LtU);
    });
  }, () => {
    f.localGet(y).i32Const(1).op(Op.i32Add).localTee(y).localGet(y1).op(Op.i32LtS);
  });
}

/** Pushes `base + table[y or x] * bpp` (an address in SRC) for the table at byte offset `tab`, index local `at` (bytes). */
function tapAddress(f: FunctionBuilder, base: number, tab: number, at: number, bpp: number): void {
  f.localGet(base).localGet(at).i32Load(tab).i32Const(bpp).op(Op.i32Mul).op(Op.i32Add);
}

/** Sentinel-2: Uint16 x 12 -> Float32 x 12. Nearest (`bilinear` false) or bilinear. Params (k, m, y0, y1). */
function emitS2(m: WasmModuleBuilder, L: KernelLayout, bilinear: boolean): void {
  const f = m.func(bilinear ? 's2Bilinear' : 's2Nearest', ['f32', 'f32', 'i32', 'i32']);
  const [k, mm, y0, y1] = [0, 1, 2, 3];
  const y = f.local('i32'), xb = f.local('i32'), o = f.local('i32'), yb = f.local('i32');
  const r0 = f.local('i32'), r1 = f.local('i32'), p00 = f.local('i32'), p01 = f.local('i32'), p10 = f.local('i32'), p11 = f.local('i32');
  const ka0 = f.local('f32'), ka1 = f.local('f32'), wb = f.local('f32');
  const mv = f.local('v128'), kv = f.local('v128'), w00 = f.local('v128'), w01 = f.local('v128'), w10 = f.local('v128'), w11 = f.local('v128');
  const bpp = S2_CHANNELS * 2;
  f.localGet(mm).simd(SimdOp.f32x4Splat).localSet(mv);
  f.localGet(k).simd(SimdOp.f32x4Splat).localSet(kv);
  f.localGet(y0).localSet(y);
  f.i32Const(L.out).localSet(o);
  const src = f.local('i32');
  f.i32Const(L.src).localSet(src);
  /** One group of four bands: converted Uint16 at `p` + byte offset `c`. */
  // Zero-extended Uint16 are non-negative int32: the signed conversion (one cvtdq2ps) is exact and much cheaper than
  // the unsigned one, which x64 has no instruction for.
  const load = (p: number, c: number) => f.localGet(p).simdMem(SimdMemOp.load16x4U, c).simd(SimdOp.f32x4ConvertI32x4S);
  rows(f, L, y, y1, xb, 1, () => {
    f.localGet(y).i32Const(2).op(Op.i32Shl).localSet(yb);
    if (bilinear) {
      tapAddress(f, src, L.a0, yb, bpp);
      f.localSet(r0);
      tapAddress(f, src, L.a1, yb, bpp);
      f.localSet(r1);
      // ka1 = wa * k, ka0 = k - ka1 (= (1 - wa) * k)
      f.localGet(yb).f32Load(L.wa).localGet(k).op(Op.f32Mul).localSet(ka1);
      f.localGet(k).localGet(ka1).op(Op.f32Sub).localSet(ka0);
    } else {
      tapAddress(f, src, L.na, yb, bpp);
      f.localSet(r0);
    }
  }, () => {
    if (bilinear) {
      f.localGet(xb).f32Load(L.wb).localSet(wb);
      // Weights of the four taps with k folded in, splatted.
      f.localGet(ka0).localGet(wb).op(Op.f32Mul).simd(SimdOp.f32x4Splat).localSet(w01);
      f.localGet(ka0).localGet(ka0).localGet(wb).op(Op.f32Mul).op(Op.f32Sub).simd(SimdOp.f32x4Splat).localSet(w00);
      f.localGet(ka1).localGet(wb).op(Op.f32Mul).simd(SimdOp.f32x4Splat).localSet(w11);
      f.localGet(ka1).localGet(ka1).localGet(wb).op(Op.f32Mul).op(Op.f32Sub).simd(SimdOp.f32x4Splat).localSet(w10);
      f.localGet(xb).i32Load(L.b0).i32Const(bpp).op(Op.i32Mul).localTee(p00).localGet(r0).op(Op.i32Add).localSet(p00);
      f.localGet(xb).i32Load(L.b1).i32Const(bpp).op(Op.i32Mul).localTee(p01).localGet(r0).op(Op.i32Add).localSet(p01);
      f.localGet(p00).localGet(r0).op(Op.i32Sub).localGet(r1).op(Op.i32Add).localSet(p10);
      f.localGet(p01).localGet(r0).op(Op.i32Sub).localGet(r1).op(Op.i32Add).localSet(p11);
      for (let g = 0; g < 3; g++) {
        const c = g * 8;
        f.localGet(o);
        load(p00, c).localGet(w00).simd(SimdOp.f32x4Mul);
        load(p01, c).localGet(w01).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add);
        load(p10, c).localGet(w10).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add);
        load(p11, c).localGet(w11).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add);
        f.localGet(mv).simd(SimdOp.f32x4Add);
        f.simdMem(SimdMemOp.v128Store, g * 16);
      }
    } else {
      f.localGet(xb).i32Load(L.nb).i32Const(bpp).op(Op.i32Mul).localGet(r0).op(Op.i32Add).localSet(p00);
      for (let g = 0; g < 3; g++) {
        f.localGet(o);
        load(p00, g * 8).localGet(kv).simd(SimdOp.f32x4Mul).localGet(mv).simd(SimdOp.f32x4Add);
        f.simdMem(SimdMemOp.v128Store, g * 16);
      }
    }
    f.localGet(o).i32Const(S2_CHANNELS * 4).op(Op.i32Add).localSet(o);
  });
}

/** Pushes a converted pair of 2-channel Int16 pixels (at addresses in locals `pa`, `pb`) as f32x4 [a0 a1 b0 b1]. */
function loadPairS1(f: FunctionBuilder, pa: number, pb: number): void {
  f.localGet(pb).localGet(pa).simdMem(SimdMemOp.load32Zero, 0, 4).simdLoadLane(SimdMemOp.load32Lane, 1, 0, 4);
  f.simd(SimdOp.i32x4ExtendLowI16x8S).simd(SimdOp.f32x4ConvertI32x4S);
}

/**
 * Sentinel-1: Int16 x 2 -> Float32 x 2, two output pixels per step (one f32x4). Bilinear weights of the pair come
 * from WB as [wb(x) wb(x) wb(x+1) wb(x+1)] (one 64-bit load and a shuffle). Params (k, m, y0, y1); size is even.
 */
function emitS1(m: WasmModuleBuilder, L: KernelLayout, bilinear: boolean): void {
  const f = m.func(bilinear ? 's1Bilinear' : 's1Nearest', ['f32', 'f32', 'i32', 'i32']);
  const [k, mm, y0, y1] = [0, 1, 2, 3];
  const y = f.local('i32'), xb = f.local('i32'), o = f.local('i32'), yb = f.local('i32'), src = f.local('i32');
  const r0 = f.local('i32'), r1 = f.local('i32'), pa = f.local('i32'), pb = f.local('i32'), qa = f.local('i32'), qb = f.local('i32');
  const ka1 = f.local('f32');
  const mv = f.local('v128'), kv = f.local('v128'), ka0v = f.local('v128'), ka1v = f.local('v128'), wbv = f.local('v128'), owbv = f.local('v128'), one = f.local('v128');
  const bpp = S1_CHANNELS * 2;
  f.localGet(mm).simd(SimdOp.f32x4Splat).localSet(mv);
  f.localGet(k).simd(SimdOp.f32x4Splat).localSet(kv);
  f.f32Const(1).simd(SimdOp.f32x4Splat).localSet(one);
  f.localGet(y0).localSet(y);
  f.i32Const(L.out).localSet(o);
  f.i32Const(L.src).localSet(src);
  const addr = (row: number, tab: number, lane: number, into: number) => {
    f.localGet(xb).i32Load(tab + 4 * lane).i32Const(bpp).op(Op.i32Mul).localGet(row).op(Op.i32Add).localSet(into);
  };
  rows(f, L, y, y1, xb, 2, () => {
    f.localGet(y).i32Const(2).op(Op.i32Shl).localSet(yb);
    if (bilinear) {
      tapAddress(f, src, L.a0, yb, bpp);
      f.localSet(r0);
      tapAddress(f, src, L.a1, yb, bpp);
      f.localSet(r1);
      f.localGet(yb).f32Load(L.wa).localGet(k).op(Op.f32Mul).localTee(ka1).simd(SimdOp.f32x4Splat).localSet(ka1v);
      f.localGet(k).localGet(ka1).op(Op.f32Sub).simd(SimdOp.f32x4Splat).localSet(ka0v);
    } else {
      tapAddress(f, src, L.na, yb, bpp);
      f.localSet(r0);
    }
  }, () => {
    f.localGet(o);
    if (bilinear) {
      f.localGet(xb).simdMem(SimdMemOp.load64Zero, L.wb, 4).localTee(wbv).localGet(wbv);
      f.shuffle([0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7]).localSet(wbv);
      f.localGet(one).localGet(wbv).simd(SimdOp.f32x4Sub).localSet(owbv);
      // Row r0: left taps (B0) at pa/pb, right taps (B1) at qa/qb; then row r1 the same.
      for (const [row, kav] of [[r0, ka0v], [r1, ka1v]] as const) {
        addr(row, L.b0, 0, pa);
        addr(row, L.b0, 1, pb);
        addr(row, L.b1, 0, qa);
        addr(row, L.b1, 1, qb);
        loadPairS1(f, pa, pb);
        f.localGet(owbv).simd(SimdOp.f32x4Mul);
        loadPairS1(f, qa, qb);
        f.localGet(wbv).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add);
        f.localGet(kav).simd(SimdOp.f32x4Mul);
        if (row === r1) f.simd(SimdOp.f32x4Add);
      }
      f.localGet(mv).simd(SimdOp.f32x4Add);
    } else {
      addr(r0, L.nb, 0, pa);
      addr(r0, L.nb, 1, pb);
      loadPairS1(f, pa, pb);
      f.localGet(kv).simd(SimdOp.f32x4Mul).localGet(mv).simd(SimdOp.f32x4Add);
    }
    f.simdMem(SimdMemOp.v128Store, 0, 4);
    f.localGet(o).i32Const(16).op(Op.i32Add).localSet(o);
  });
}

/** Class masks: Uint8 -> Int32, nearest, `ignore` code -> `ignoreValue`. Params (ignore, ignoreValue, y0, y1). */
function emitMask(m: WasmModuleBuilder, L: KernelLayout): void {
  const f = m.func('maskNearest', ['i32', 'i32', 'i32', 'i32']);
  const [ignore, ignoreValue, y0, y1] = [0, 1, 2, 3];
  const y = f.local('i32'), xb = f.local('i32'), o = f.local('i32'), yb = f.local('i32'), src = f.local('i32'), r0 = f.local('i32'), c = f.local('i32');
  f.localGet(y0).localSet(y);
  f.i32Const(L.out).localSet(o);
  f.i32Const(L.src).localSet(src);
  rows(f, L, y, y1, xb, 1, () => {
    f.localGet(y).i32Const(2).op(Op.i32Shl).localSet(yb);
    tapAddress(f, src, L.na, yb, 1);
    f.localSet(r0);
  }, () => {
    f.localGet(o);
    f.localGet(ignoreValue);
    f.localGet(xb).i32Load(L.nb).localGet(r0).op(Op.i32Add).i32Load8U().localTee(c);
    f.localGet(c).localGet(ignore).op(Op.i32Eq).op(Op.select);
    f.i32Store();
    f.localGet(o).i32Const(4).op(Op.i32Add).localSet(o);
  });
}

/** The kernel module's bytes for patches of side `size` (even). */
export function buildKernelModule(size: number): Uint8Array<ArrayBuffer> {
  if (size % 2 !== 0) throw new Error(`simd kernels need an even patch size, got ${size}`);
  const L = kernelLayout(size);
  const m = new WasmModuleBuilder(L.pages);
  emitS2(m, L, false);
  emitS2(m, L, true);
  emitS1(m, L, false);
  emitS1(m, L, true);
  emitMask(m, L);
  return m.encode();
}

/** The functions of an instance (see the emitters above for their parameters). */
export interface KernelExports {
  memory: WebAssembly.Memory;
  s2Nearest(k: number, m: number, y0: number, y1: number): void;
  s2Bilinear(k: number, m: number, y0: number, y1: number): void;
  s1Nearest(k: number, m: number, y0: number, y1: number): void;
  s1Bilinear(k: number, m: number, y0: number, y1: number): void;
  maskNearest(ignore: number, ignoreValue: number, y0: number, y1: number): void;
}

/** One thread's instance of the kernels with views over its memory (the memory never grows, so views stay valid). */
export interface SimdKernels {
  layout: KernelLayout;
  fn: KernelExports;
  u8: Uint8Array;
  i16: Int16Array;
  u16: Uint16Array;
  i32: Int32Array;
  f32: Float32Array;
  /** Output rows per kernel call: each chunk is copied out while it is still in L1/L2. */
  chunkRows: number;
}

/*
 * The functions below are shipped as source to the ParallelBatcher's worker threads (see parallel-batcher.ts):
 * each refers only to its parameters, globals and the other shipped functions.
 */

/** Instantiates a compiled kernel module (`kernelModule`) for this thread. */
export function instantiateKernels(module: WebAssembly.Module, layout: KernelLayout): SimdKernels {
  const fn = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
  const buffer = fn.memory.buffer;
  // ~48 KB of Sentinel-2 output per call.
  const chunkRows = Math.max(1, Math.floor(49152 / (layout.size * 12 * 4)));
  return {
    layout, fn, chunkRows,
    u8: new Uint8Array(buffer), i16: new Int16Array(buffer), u16: new Uint16Array(buffer), i32: new Int32Array(buffer), f32: new Float32Array(buffer),
  };
}

/** Copies a Sampling's tables (augment.ts) into the instance. */
export function loadTables(K: SimdKernels, s: Sampling): void {
  const L = K.layout;
  K.i32.set(s.a0, L.a0 >> 2);
  K.i32.set(s.a1, L.a1 >> 2);
  K.i32.set(s.nearA, L.na >> 2);
  K.i32.set(s.b0, L.b0 >> 2);
  K.i32.set(s.b1, L.b1 >> 2);
  K.i32.set(s.nearB, L.nb >> 2);
  K.f32.set(s.wa, L.wa >> 2);
  K.f32.set(s.wb, L.wb >> 2);
}

/** Sentinel-2 record (Uint16 x 12 at `base` of `src`) -> out[ob...] as `sample * k + m` (see assemble.ts writeS2). */
export function simdS2(K: SimdKernels, src: Uint16Array, base: number, s: Sampling, k: number, m: number, out: Float32Array, ob: number): void {
  const L = K.layout, size = L.size, row = size * 12, o = L.out >> 2;
  K.u16.set(src.subarray(base, base + size * row), L.src >> 1);
  loadTables(K, s);
  const step = K.chunkRows;
  for (let y = 0; y < size; y += step) {
    const y1 = y + step < size ? y + step : size;
    if (s.integer) K.fn.s2Nearest(k, m, y, y1);
    else K.fn.s2Bilinear(k, m, y, y1);
    out.set(K.f32.subarray(o, o + (y1 - y) * row), ob + y * row);
  }
}

/** Sentinel-1 record (Int16 x 2) -> out as `sample * k + m` (see assemble.ts writeS1). */
export function simdS1(K: SimdKernels, src: Int16Array, base: number, s: Sampling, k: number, m: number, out: Float32Array, ob: number): void {
  const L = K.layout, size = L.size, row = size * 2, o = L.out >> 2;
  K.i16.set(src.subarray(base, base + size * row), L.src >> 1);
  loadTables(K, s);
  const step = K.chunkRows * 6;
  for (let y = 0; y < size; y += step) {
    const y1 = y + step < size ? y + step : size;
    if (s.integer) K.fn.s1Nearest(k, m, y, y1);
    else K.fn.s1Bilinear(k, m, y, y1);
    out.set(K.f32.subarray(o, o + (y1 - y) * row), ob + y * row);
  }
}

/** Class map (Uint8, nearest) -> Int32 mask with `ignoreValue` for the `ignore` code (see assemble.ts writeMask). */
export function simdMask(K: SimdKernels, src: Uint8Array, base: number, s: Sampling, ignore: number, ignoreValue: number, out: Int32Array, ob: number): void {
  const L = K.layout, size = L.size, n = size * size, o = L.out >> 2;
  K.u8.set(src.subarray(base, base + n), L.src);
  loadTables(K, s);
  K.fn.maskNearest(ignore, ignoreValue, 0, size);
  out.set(K.i32.subarray(o, o + n), ob);
}

const modules = new Map<number, WebAssembly.Module | null>();

/**
 * The compiled kernel module for patches of side `size`, or null where WebAssembly SIMD is unavailable (the callers
 * then use the JavaScript kernels). Compiled once per process; a `WebAssembly.Module` can be posted to workers.
 */
export function kernelModule(size: number): WebAssembly.Module | null {
  let m = modules.get(size);
  if (m === undefined) {
    m = null;
    if (typeof WebAssembly === 'object' && size % 2 === 0) {
      const bytes = buildKernelModule(size);
      if (WebAssembly.validate(bytes)) m = new WebAssembly.Module(bytes);
    }
    modules.set(size, m);
  }
  return m;
}
