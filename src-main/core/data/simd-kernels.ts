/**
 * WebAssembly SIMD versions of the hot batch kernels (Sentinel-2, Sentinel-1, class masks), emitted from the
 * TypeScript below by the in-repo encoder (core/wasm/encoder.ts). Plain JavaScript cannot vectorise: the
 * bilinear crop + resize of a 12-band Sentinel-2 patch costs ~0.5 ms there, several times what the loader target
 * (5,000 patches/s on 2 cores) allows.
 * Here four bands are one f32x4: a pixel of 12 interleaved bands is three vectors, loaded straight from the Uint16
 * record (v128.load16x4_u) and converted in registers. The S2 bilinear kernel is separable (a horizontal pass per
 * needed source row into a row buffer, then a vertical blend per output row); S1 handles two pixels per vector.
 *
 * Regions of one thread's instance (in its own memory, or at its `base` in a memory shared by several threads):
 *   TABLES  the patch's Sampling tables (augment.ts) copied in: A0 A1 NA B0 B1 NB (i32 pixel indices) WA WB (f32)
 *   H0, H1  row buffers of the separable S2 kernel, and the tags saying which source rows they hold
 *   SRC     one cached record, copied in from the cache (Uint16 / Int16 / Uint8 values)
 *   OUT     output rows (Float32 or Int32), copied out into the batch a chunk of rows at a time
 * Kernels write either to OUT or, when the batch array is in the same (shared) memory, straight into the batch
 * (ParallelBatcher). The copies are TypedArray.set; the record then sits in L2 for the gathers of a rotated or
 * transposed read. Copies are now the larger part of the cost (~65 us of a Sentinel-2 patch against ~35 us of
 * kernel), more so with a SharedArrayBuffer on either side, which V8 copies with relaxed atomic word moves.
 *
 * Semantics are those of the JavaScript kernels in assemble.ts (out = (bilinear or nearest sample) * k + m), in
 * float32 arithmetic instead of float64: results agree to ~1e-6 of the normalised range.
 */
import type { Sampling } from './augment';
import { FunctionBuilder, Op, SimdMemOp, SimdOp, WasmModuleBuilder } from '../wasm/encoder';

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
  /** Source-row tags (2 x i32) of the two horizontal-pass row buffers H0, H1 (size x 12 f32 each). */
  tags: number;
  h0: number;
  h1: number;
  src: number;
  out: number;
  pages: number;
}

const S2_CHANNELS = 12;
/** Every kernel's last parameter: the byte address where output row y0 goes (OUT, or a batch in shared memory). */
const OUT_PARAM = 4;
const S1_CHANNELS = 2;

/** Bytes of one thread's regions (tables, row buffers, SRC, OUT) for patches of side `size`. */
export function scratchBytes(size: number): number {
  const L = kernelLayout(size);
  return L.out + size * size * S2_CHANNELS * 4;
}

/** The regions of one thread's instance, starting at byte `base` (0 for an instance with its own memory). */
export function kernelLayout(size: number, base = 0): KernelLayout {
  const table = size * 4;
  const align = (n: number) => Math.ceil(n / 64) * 64;
  const t = (k: number) => base + k * align(table);
  const tags = t(8);
  const h0 = align(tags + 8);
  const h1 = align(h0 + size * S2_CHANNELS * 4);
  const src = align(h1 + size * S2_CHANNELS * 4);
  const out = align(src + size * size * S2_CHANNELS * 2);
  const end = out + size * size * S2_CHANNELS * 4;
  return { size, a0: t(0), a1: t(1), na: t(2), b0: t(3), b1: t(4), nb: t(5), wa: t(6), wb: t(7), tags, h0, h1, src, out, pages: Math.ceil(end / 65536) };
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

/** Sentinel-2 nearest (no crop: the dihedral transforms): Uint16 x 12 -> Float32 x 12. Params (k, m, y0, y1, out). */
function emitS2Nearest(m: WasmModuleBuilder, L: KernelLayout): void {
  const f = m.func('s2Nearest', ['f32', 'f32', 'i32', 'i32', 'i32']);
  const [k, mm, y0, y1] = [0, 1, 2, 3];
  const y = f.local('i32'), xb = f.local('i32'), o = f.local('i32'), yb = f.local('i32'), src = f.local('i32');
  const r0 = f.local('i32'), p = f.local('i32');
  const mv = f.local('v128'), kv = f.local('v128');
  const bpp = S2_CHANNELS * 2;
  f.localGet(mm).simd(SimdOp.f32x4Splat).localSet(mv);
  f.localGet(k).simd(SimdOp.f32x4Splat).localSet(kv);
  f.localGet(y0).localSet(y);
  f.localGet(OUT_PARAM).localSet(o);
  f.i32Const(L.src).localSet(src);
  rows(f, L, y, y1, xb, 1, () => {
    f.localGet(y).i32Const(2).op(Op.i32Shl).localSet(yb);
    tapAddress(f, src, L.na, yb, bpp);
    f.localSet(r0);
  }, () => {
    f.localGet(xb).i32Load(L.nb).i32Const(bpp).op(Op.i32Mul).localGet(r0).op(Op.i32Add).localSet(p);
    for (let g = 0; g < 3; g++) {
      f.localGet(o);
      loadS2(f, p, g * 8).localGet(kv).simd(SimdOp.f32x4Mul).localGet(mv).simd(SimdOp.f32x4Add);
      f.simdMem(SimdMemOp.v128Store, g * 16, 4);
    }
    f.localGet(o).i32Const(S2_CHANNELS * 4).op(Op.i32Add).localSet(o);
  });
}

/**
 * Pushes four bands of a Sentinel-2 pixel as f32x4: Uint16 at `p` + byte offset `c`, zero-extended. Those are
 * non-negative int32, so the signed conversion (one cvtdq2ps) is exact and much cheaper than the unsigned one,
 * which x64 has no instruction for.
 */
function loadS2(f: FunctionBuilder, p: number, c: number): FunctionBuilder {
  return f.localGet(p).simdMem(SimdMemOp.load16x4U, c).simd(SimdOp.f32x4ConvertI32x4S);
}

/**
 * Sentinel-2 bilinear, separable: each source row the output needs is interpolated horizontally once into a row
 * buffer (H0/H1, f32), and every output row is the vertical blend of two buffered rows. A crop of side c needs about
 * c + 1 horizontal rows for 120 output rows, so this does ~30 % fewer vector operations than blending four taps
 * per pixel, and the vertical pass streams. The buffers' source rows are tagged in memory so that consecutive
 * calls (row chunks of one patch) reuse them; a call with y0 = 0 starts a new patch. Params (k, m, y0, y1, out).
 * (Rows here are whatever the A tables index: source columns when the transform transposes; the code is the same.)
 */
function emitS2Separable(m: WasmModuleBuilder, L: KernelLayout): void {
  const f = m.func('s2Bilinear', ['f32', 'f32', 'i32', 'i32', 'i32']);
  const [k, mm, y0, y1] = [0, 1, 2, 3];
  const y = f.local('i32'), xb = f.local('i32'), o = f.local('i32'), yb = f.local('i32'), src = f.local('i32');
  const ra = f.local('i32'), rb = f.local('i32'), t0 = f.local('i32'), t1 = f.local('i32'), want = f.local('i32'), other = f.local('i32');
  const dst = f.local('i32'), p0 = f.local('i32'), p1 = f.local('i32'), pa = f.local('i32'), pb = f.local('i32'), i = f.local('i32');
  const ka1 = f.local('f32');
  const mv = f.local('v128'), ka0v = f.local('v128'), ka1v = f.local('v128'), wbv = f.local('v128'), owbv = f.local('v128'), one = f.local('v128');
  const bpp = S2_CHANNELS * 2;
  const rowBytes = L.size * S2_CHANNELS * 4;
  f.localGet(mm).simd(SimdOp.f32x4Splat).localSet(mv);
  f.f32Const(1).simd(SimdOp.f32x4Splat).localSet(one);
  f.i32Const(L.src).localSet(src);
  f.localGet(y0).localSet(y);
  f.localGet(OUT_PARAM).localSet(o);
  // Tags: -1 (nothing buffered) at the start of a patch, else what the previous chunk left.
  f.localGet(y0).op(Op.i32Eqz).ifElse(() => {
    f.i32Const(-1).localSet(t0);
    f.i32Const(-1).localSet(t1);
  }, () => {
    f.i32Const(L.tags).i32Load(0).localSet(t0);
    f.i32Const(L.tags).i32Load(4).localSet(t1);
  });
  const load = (p: number, c: number) => loadS2(f, p, c);
  /** Horizontal pass of source row `want` (pixel index of its first pixel) into the buffer at `dst`. */
  const horizontal = () => {
    f.i32Const(0).localSet(xb);
    f.localGet(dst).localSet(i);
    f.doWhile(() => {
      f.localGet(xb).f32Load(L.wb).simd(SimdOp.f32x4Splat).localSet(wbv);
      f.localGet(one).localGet(wbv).simd(SimdOp.f32x4Sub).localSet(owbv);
      f.localGet(xb).i32Load(L.b0).localGet(want).op(Op.i32Add).i32Const(bpp).op(Op.i32Mul).localGet(src).op(Op.i32Add).localSet(p0);
      f.localGet(xb).i32Load(L.b1).localGet(want).op(Op.i32Add).i32Const(bpp).op(Op.i32Mul).localGet(src).op(Op.i32Add).localSet(p1);
      for (let g = 0; g < 3; g++) {
        f.localGet(i);
        load(p0, g * 8).localGet(owbv).simd(SimdOp.f32x4Mul);
        load(p1, g * 8).localGet(wbv).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add);
        f.simdMem(SimdMemOp.v128Store, g * 16, 4);
      }
      f.localGet(i).i32Const(S2_CHANNELS * 4).op(Op.i32Add).localSet(i);
    }, () => {
      f.localGet(xb).i32Const(4).op(Op.i32Add).localTee(xb).i32Const(L.size * 4).op(Op.i32LtU);
    });
  };
  /** Makes sure row `want` is buffered, evicting the buffer that does not hold row `other`. */
  const ensure = () => {
    f.localGet(want).localGet(t0).op(Op.i32Ne).localGet(want).localGet(t1).op(Op.i32Ne).op(Op.i32And).ifElse(() => {
      f.localGet(t0).localGet(other).op(Op.i32Eq).ifElse(() => {
        f.i32Const(L.h1).localSet(dst);
        f.localGet(want).localSet(t1);
      }, () => {
        f.i32Const(L.h0).localSet(dst);
        f.localGet(want).localSet(t0);
      });
      horizontal();
    });
  };
  f.doWhile(() => {
    f.localGet(y).i32Const(2).op(Op.i32Shl).localSet(yb);
    f.localGet(yb).i32Load(L.a0).localSet(ra);
    f.localGet(yb).i32Load(L.a1).localSet(rb);
    f.localGet(ra).localSet(want);
    f.localGet(rb).localSet(other);
    ensure();
    f.localGet(rb).localSet(want);
    f.localGet(ra).localSet(other);
    ensure();
    f.i32Const(L.h0).i32Const(L.h1).localGet(t0).localGet(ra).op(Op.i32Eq).op(Op.select).localSet(pa);
    f.i32Const(L.h0).i32Const(L.h1).localGet(t0).localGet(rb).op(Op.i32Eq).op(Op.select).localSet(pb);
    f.localGet(yb).f32Load(L.wa).localGet(k).op(Op.f32Mul).localTee(ka1).simd(SimdOp.f32x4Splat).localSet(ka1v);
    f.localGet(k).localGet(ka1).op(Op.f32Sub).simd(SimdOp.f32x4Splat).localSet(ka0v);
    // Vertical pass: out = H(ra) * (1 - wa) k + H(rb) * wa k + m, 16 bytes at a time.
    f.i32Const(0).localSet(i);
    f.doWhile(() => {
      f.localGet(o).localGet(i).op(Op.i32Add);
      f.localGet(pa).localGet(i).op(Op.i32Add).simdMem(SimdMemOp.v128Load, 0, 4).localGet(ka0v).simd(SimdOp.f32x4Mul);
      f.localGet(pb).localGet(i).op(Op.i32Add).simdMem(SimdMemOp.v128Load, 0, 4).localGet(ka1v).simd(SimdOp.f32x4Mul);
      f.simd(SimdOp.f32x4Add).localGet(mv).simd(SimdOp.f32x4Add);
      f.simdMem(SimdMemOp.v128Store, 0, 4);
    }, () => {
      f.localGet(i).i32Const(16).op(Op.i32Add).localTee(i).i32Const(rowBytes).op(Op.i32LtU);
    });
    f.localGet(o).i32Const(rowBytes).op(Op.i32Add).localSet(o);
  }, () => {
    f.localGet(y).i32Const(1).op(Op.i32Add).localTee(y).localGet(y1).op(Op.i32LtS);
  });
  f.i32Const(L.tags).localGet(t0).i32Store(0);
  f.i32Const(L.tags).localGet(t1).i32Store(4);
}

/** Pushes a converted pair of 2-channel Int16 pixels (at addresses in locals `pa`, `pb`) as f32x4 [a0 a1 b0 b1]. */
function loadPairS1(f: FunctionBuilder, pa: number, pb: number): void {
  f.localGet(pb).localGet(pa).simdMem(SimdMemOp.load32Zero, 0, 4).simdLoadLane(SimdMemOp.load32Lane, 1, 0, 4);
  f.simd(SimdOp.i32x4ExtendLowI16x8S).simd(SimdOp.f32x4ConvertI32x4S);
}

/**
 * Sentinel-1: Int16 x 2 -> Float32 x 2, two output pixels per step (one f32x4). Bilinear weights of the pair come
 * from WB as [wb(x) wb(x) wb(x+1) wb(x+1)] (one 64-bit load and a shuffle). Params (k, m, y0, y1, out); size is even.
 */
function emitS1(m: WasmModuleBuilder, L: KernelLayout, bilinear: boolean): void {
  const f = m.func(bilinear ? 's1Bilinear' : 's1Nearest', ['f32', 'f32', 'i32', 'i32', 'i32']);
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
  f.localGet(OUT_PARAM).localSet(o);
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

/** Class masks: Uint8 -> Int32, nearest, `ignore` code -> `ignoreValue`. Params (ignore, ignoreValue, y0, y1, out). */
function emitMask(m: WasmModuleBuilder, L: KernelLayout): void {
  const f = m.func('maskNearest', ['i32', 'i32', 'i32', 'i32', 'i32']);
  const [ignore, ignoreValue, y0, y1] = [0, 1, 2, 3];
  const y = f.local('i32'), xb = f.local('i32'), o = f.local('i32'), yb = f.local('i32'), src = f.local('i32'), r0 = f.local('i32'), c = f.local('i32');
  f.localGet(y0).localSet(y);
  f.localGet(OUT_PARAM).localSet(o);
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

/**
 * The kernel module's bytes for patches of side `size` (even). By default the module has its own memory; with
 * `shared` it imports a shared memory (of at most `shared.maximum` pages) and uses the regions at `base` in it, so
 * that several threads' instances can write straight into batch arrays allocated in that memory.
 */
export function buildKernelModule(size: number, options: { base?: number; shared?: { maximum: number } } = {}): Uint8Array<ArrayBuffer> {
  if (size % 2 !== 0) throw new Error(`simd kernels need an even patch size, got ${size}`);
  const L = kernelLayout(size, options.base ?? 0);
  const m = new WasmModuleBuilder(options.shared
    ? { kind: 'imported', minPages: L.pages, maxPages: options.shared.maximum, shared: true }
    : { kind: 'own', pages: L.pages });
  emitS2Nearest(m, L);
  emitS2Separable(m, L);
  emitS1(m, L, false);
  emitS1(m, L, true);
  emitMask(m, L);
  return m.encode();
}

/** The functions of an instance (see the emitters above for their parameters). */
export interface KernelExports {
  memory: WebAssembly.Memory;
  s2Nearest(k: number, m: number, y0: number, y1: number, out: number): void;
  s2Bilinear(k: number, m: number, y0: number, y1: number, out: number): void;
  s1Nearest(k: number, m: number, y0: number, y1: number, out: number): void;
  s1Bilinear(k: number, m: number, y0: number, y1: number, out: number): void;
  maskNearest(ignore: number, ignoreValue: number, y0: number, y1: number, out: number): void;
}

/**
 * One thread's instance of the kernels with views over its memory. The views cover the thread's regions, which a
 * shared memory's growth never moves, so they stay valid.
 */
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

/**
 * Instantiates a compiled kernel module for this thread: its own memory, or (`memory` given) the shared memory
 * the module was built to import.
 */
export function instantiateKernels(module: WebAssembly.Module, layout: KernelLayout, memory?: WebAssembly.Memory): SimdKernels {
  const fn = new WebAssembly.Instance(module, memory ? { env: { memory } } : {}).exports as unknown as KernelExports;
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

/*
 * Output: `direct` means `out` is a view on this instance's (shared) memory, so the kernel writes the patch straight
 * into it (address out.byteOffset + 4 ob); otherwise each chunk of rows goes to OUT and is copied into `out`.
 */

/** Sentinel-2 record (Uint16 x 12 at `base` of `src`) -> out[ob...] as `sample * k + m` (see assemble.ts writeS2). */
export function simdS2(K: SimdKernels, src: Uint16Array, base: number, s: Sampling, k: number, m: number, out: Float32Array, ob: number, direct = false): void {
  const L = K.layout, size = L.size, row = size * 12, o = L.out >> 2;
  K.u16.set(src.subarray(base, base + size * row), L.src >> 1);
  loadTables(K, s);
  if (direct) {
    if (s.integer) K.fn.s2Nearest(k, m, 0, size, out.byteOffset + ob * 4);
    else K.fn.s2Bilinear(k, m, 0, size, out.byteOffset + ob * 4);
    return;
  }
  const step = K.chunkRows;
  for (let y = 0; y < size; y += step) {
    const y1 = y + step < size ? y + step : size;
    if (s.integer) K.fn.s2Nearest(k, m, y, y1, L.out);
    else K.fn.s2Bilinear(k, m, y, y1, L.out);
    out.set(K.f32.subarray(o, o + (y1 - y) * row), ob + y * row);
  }
}

/** Sentinel-1 record (Int16 x 2) -> out as `sample * k + m` (see assemble.ts writeS1). */
export function simdS1(K: SimdKernels, src: Int16Array, base: number, s: Sampling, k: number, m: number, out: Float32Array, ob: number, direct = false): void {
  const L = K.layout, size = L.size, row = size * 2, o = L.out >> 2;
  K.i16.set(src.subarray(base, base + size * row), L.src >> 1);
  loadTables(K, s);
  if (direct) {
    if (s.integer) K.fn.s1Nearest(k, m, 0, size, out.byteOffset + ob * 4);
    else K.fn.s1Bilinear(k, m, 0, size, out.byteOffset + ob * 4);
    return;
  }
  const step = K.chunkRows * 6;
  for (let y = 0; y < size; y += step) {
    const y1 = y + step < size ? y + step : size;
    if (s.integer) K.fn.s1Nearest(k, m, y, y1, L.out);
    else K.fn.s1Bilinear(k, m, y, y1, L.out);
    out.set(K.f32.subarray(o, o + (y1 - y) * row), ob + y * row);
  }
}

/** Class map (Uint8, nearest) -> Int32 mask with `ignoreValue` for the `ignore` code (see assemble.ts writeMask). */
export function simdMask(K: SimdKernels, src: Uint8Array, base: number, s: Sampling, ignore: number, ignoreValue: number, out: Int32Array, ob: number, direct = false): void {
  const L = K.layout, size = L.size, n = size * size, o = L.out >> 2;
  K.u8.set(src.subarray(base, base + n), L.src);
  loadTables(K, s);
  if (direct) {
    K.fn.maskNearest(ignore, ignoreValue, 0, size, out.byteOffset + ob * 4);
    return;
  }
  K.fn.maskNearest(ignore, ignoreValue, 0, size, L.out);
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
