import { describe, expect, it } from 'vitest';
import { Op, SimdOp, sleb128, uleb128, WasmModuleBuilder, type MemorySpec } from '../../../src-main/core/wasm/encoder';

function leb(write: (out: number[], v: number) => void, v: number): number[] {
  const out: number[] = [];
  write(out, v);
  return out;
}

function instantiate<T>(bytes: Uint8Array<ArrayBuffer>, imports: WebAssembly.Imports = {}): T {
  expect(WebAssembly.validate(bytes)).toBe(true);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports as T;
}

interface ScaleExports {
  memory: WebAssembly.Memory;
  /** out[i] = a[i] * k for i < n (n a multiple of 4; byte addresses out, a). */
  scale(out: number, a: number, n: number, k: number): void;
}

/** A tiny SIMD kernel: a counted loop over f32x4 vectors. */
function scaleModule(memory: MemorySpec): Uint8Array<ArrayBuffer> {
  const m = new WasmModuleBuilder(memory);
  const f = m.func('scale', ['i32', 'i32', 'i32', 'f32']);
  const [out, a, n, k] = [0, 1, 2, 3];
  const end = f.local('i32');
  const p = f.local('i32');
  const kv = f.local('v128');
  f.localGet(k).simd(SimdOp.f32x4Splat).localSet(kv);
  f.localGet(n).i32Const(4).op(Op.i32Mul).localSet(end);
  f.forLoop(p, () => f.i32Const(0), end, 16, () => {
    f.localGet(out).localGet(p).op(Op.i32Add);
    f.localGet(a).localGet(p).op(Op.i32Add).v128Load().localGet(kv).simd(SimdOp.f32x4Mul);
    f.v128Store();
  });
  return m.encode();
}

describe('LEB128', () => {
  it('encodes unsigned values at the 7-bit group boundaries', () => {
    expect(leb(uleb128, 0)).toEqual([0x00]);
    expect(leb(uleb128, 127)).toEqual([0x7f]);
    expect(leb(uleb128, 128)).toEqual([0x80, 0x01]);
    expect(leb(uleb128, 16383)).toEqual([0xff, 0x7f]);
    expect(leb(uleb128, 16384)).toEqual([0x80, 0x80, 0x01]);
    expect(leb(uleb128, 65536)).toEqual([0x80, 0x80, 0x04]);
    expect(leb(uleb128, 0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it('encodes signed values with the sign bit of the last group right', () => {
    expect(leb(sleb128, 0)).toEqual([0x00]);
    expect(leb(sleb128, 63)).toEqual([0x3f]);
    expect(leb(sleb128, 64)).toEqual([0xc0, 0x00]); // bit 6 set would read as negative
    expect(leb(sleb128, -1)).toEqual([0x7f]);
    expect(leb(sleb128, -64)).toEqual([0x40]);
    expect(leb(sleb128, -65)).toEqual([0xbf, 0x7f]);
    expect(leb(sleb128, 2 ** 31 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x07]);
    expect(leb(sleb128, -(2 ** 31))).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  it('round-trips i32 constants through the engine', () => {
    const values = [0, 1, -1, 63, 64, -64, -65, 8191, 8192, -8193, -70000, 2 ** 31 - 1, -(2 ** 31)];
    const m = new WasmModuleBuilder({ kind: 'own', pages: 0 });
    values.forEach((v, i) => m.func(`c${i}`, [], ['i32']).i32Const(v));
    const exports = instantiate<Record<string, () => number>>(m.encode());
    values.forEach((v, i) => expect(exports[`c${i}`]()).toBe(v));
  });
});

describe('WebAssembly module builder', () => {
  it('encodes constants, locals and loops as the engine runs them', () => {
    const m = new WasmModuleBuilder({ kind: 'own', pages: 1 });
    // f(x) = sum over i = x .. 1 of (i * -70000) + 1.5 (as f32).
    const f = m.func('f', ['i32'], ['f32']);
    const acc = f.local('i32');
    f.i32Const(0).localSet(acc);
    f.doWhile(() => {
      f.localGet(acc).localGet(0).i32Const(-70000).op(Op.i32Mul).op(Op.i32Add).localSet(acc);
    }, () => {
      f.localGet(0).i32Const(1).op(Op.i32Sub).localTee(0);
    });
    f.localGet(acc).op(Op.f32ConvertI32S).f32Const(1.5).op(Op.f32Add);
    const exports = instantiate<{ f(x: number): number; memory: WebAssembly.Memory }>(m.encode());
    expect(exports.f(4)).toBe(-70000 * 10 + 1.5);
    expect(exports.memory.buffer.byteLength).toBe(65536);
  });

  it('branches: ifElse, select, block/loop with br_if, a for loop that may run zero times', () => {
    const m = new WasmModuleBuilder({ kind: 'own', pages: 0 });
    // clampSum(n) = Σ_{i<n} (i > 5 ? 5 : i) with a for loop; n <= 0 gives 0.
    const f = m.func('clampSum', ['i32'], ['i32']);
    const [i, acc, end] = [f.local('i32'), f.local('i32'), f.local('i32')];
    f.localGet(0).localSet(end);
    f.localGet(0).i32Const(0).op(Op.i32LtS).ifElse(() => f.i32Const(0).localSet(end));
    f.forLoop(i, () => f.i32Const(0), end, 1, () => {
      f.localGet(acc).i32Const(5).localGet(i).localGet(i).i32Const(5).op(Op.i32GtS).op(Op.select).op(Op.i32Add).localSet(acc);
    });
    f.localGet(acc);
    // firstMultiple(a, b): the first multiple of b that is >= a, by block/loop/br_if.
    const g = m.func('firstMultiple', ['i32', 'i32'], ['i32']);
    const x = g.local('i32');
    g.block(() => {
      g.loop(() => {
        g.localGet(x).localGet(0).op(Op.i32GeU).brIf(1);
        g.addTo(x, { local: 1 });
        g.br(0);
      });
    });
    g.localGet(x);
    const e = instantiate<{ clampSum(n: number): number; firstMultiple(a: number, b: number): number }>(m.encode());
    expect(e.clampSum(0)).toBe(0);
    expect(e.clampSum(-3)).toBe(0);
    expect(e.clampSum(4)).toBe(0 + 1 + 2 + 3);
    expect(e.clampSum(9)).toBe(0 + 1 + 2 + 3 + 4 + 5 + 5 + 5 + 5);
    expect(e.firstMultiple(0, 7)).toBe(0);
    expect(e.firstMultiple(15, 7)).toBe(21);
    expect(e.firstMultiple(21, 7)).toBe(21);
  });

  it('rejects malformed input early', () => {
    const m = new WasmModuleBuilder({ kind: 'own', pages: 1 });
    expect(() => m.func('s', []).shuffle([0, 1, 2])).toThrow(/16 lane/);
    expect(() => new WasmModuleBuilder({ kind: 'imported', minPages: 1, shared: true })).toThrow(/maxPages/);
  });
});

describe('a SIMD kernel on its own or an imported memory', () => {
  const n = 12;
  const input = Float32Array.from({ length: n }, (_, i) => i * 0.25 - 1.3);
  const want = Array.from(input, (v) => Math.fround(v * Math.fround(0.7)));

  it('own memory: defined by the module and exported', () => {
    const e = instantiate<ScaleExports>(scaleModule({ kind: 'own', pages: 2 }));
    expect(e.memory.buffer.byteLength).toBe(2 * 65536);
    const heap = new Float32Array(e.memory.buffer);
    heap.set(input, 64);
    e.scale(0, 256, n, 0.7);
    expect(Array.from(heap.subarray(0, n))).toEqual(want);
    heap.fill(9, 0, n);
    e.scale(0, 256, 0, 0.7); // zero elements: nothing written
    expect(Array.from(heap.subarray(0, n))).toEqual(new Array(n).fill(9));
  });

  it('imported memory: the caller’s memory, written in place (no maximum declared)', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const e = instantiate<ScaleExports>(scaleModule({ kind: 'imported', minPages: 1 }), { env: { memory } });
    expect(e.memory).toBe(memory);
    const heap = new Float32Array(memory.buffer);
    heap.set(input, 100);
    e.scale(1000, 400, n, 0.7);
    expect(Array.from(heap.subarray(250, 250 + n))).toEqual(want);
    // The import's minimum is enforced at instantiation.
    const bytes = scaleModule({ kind: 'imported', minPages: 2, maxPages: 4 });
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })).toThrow(WebAssembly.LinkError);
  });

  it('imported shared memory: several instances work on one SharedArrayBuffer', () => {
    const bytes = scaleModule({ kind: 'imported', minPages: 1, maxPages: 8, shared: true });
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 8, shared: true });
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const a = instantiate<ScaleExports>(bytes, { env: { memory } });
    const b = instantiate<ScaleExports>(bytes, { env: { memory } });
    const heap = new Float32Array(memory.buffer);
    heap.set(input, 0);
    a.scale(64, 0, n, 0.7);
    b.scale(128, 64, n, 1 / 0.7);
    expect(Array.from(heap.subarray(16, 16 + n))).toEqual(want);
    expect(Array.from(heap.subarray(32, 32 + n))).toEqual(want.map((v) => Math.fround(v * Math.fround(1 / 0.7))));
    // A shared import does not link to an unshared memory.
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 8 }) } })).toThrow(WebAssembly.LinkError);
  });
});
