/**
 * A minimal WebAssembly binary encoder: just enough to emit small compute kernels (functions over one linear
 * memory, with i32/f32/v128 locals, loops, branches and SIMD arithmetic) from TypeScript. Both the batch kernels
 * of the data layer (core/data/simd-kernels.ts) and the SIMD loops of the engine layer, which work in place on the
 * tfjs wasm backend's heap (core/engine/wasm-kernels/simd-loops.ts), are written with it. It exists so that the
 * repository holds the kernels' source, never an opaque .wasm file, and no assembler or compiler toolchain is
 * needed at build time: the bytes are produced at run time and compiled by the engine's own WebAssembly.
 *
 *   const m = new WasmModuleBuilder({ kind: 'own', pages: 1 });   // or { kind: 'imported', minPages, maxPages, shared }
 *   const f = m.func('scale', ['i32', 'i32', 'f32']);              // (ptr, n, k): params are locals 0..2
 *   const end = f.local('i32');
 *   f.localGet(0).localGet(1).i32Const(4).op(Op.i32Mul).op(Op.i32Add).localSet(end);
 *   f.forLoop(0, () => f.localGet(0), end, 4, () => {           // for (p = ptr; p < end; p += 4)
 *     f.localGet(0).localGet(0).f32Load().localGet(2).op(Op.f32Mul).f32Store();
 *   });
 *   const exports = new WebAssembly.Instance(new WebAssembly.Module(m.encode())).exports;  // memory, scale
 *
 * Encodings follow the WebAssembly core specification (binary format, including fixed-width SIMD, prefix 0xfd).
 * Only what the kernels use is here; `WebAssembly.validate` in the tests catches any encoding mistake.
 */

export type ValType = 'i32' | 'f32' | 'v128';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

/** Single-byte opcodes (core instructions without immediates). */
export const Op = {
  select: 0x1b,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32ConvertI32S: 0xb2,
  f32ConvertI32U: 0xb3,
} as const;

/** SIMD opcodes (after the 0xfd prefix) without immediates. */
export const SimdOp = {
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  f32x4Eq: 0x41,
  f32x4Gt: 0x44,
  v128And: 0x4e,
  v128AndNot: 0x4f,
  v128Or: 0x50,
  f64x2PromoteLowF32x4: 0x5f,
  i32x4ExtendLowI16x8S: 0xa7,
  i32x4ExtendLowI16x8U: 0xa9,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Max: 0xe9,
  f64x2Add: 0xf0,
  f64x2Mul: 0xf2,
  f32x4ConvertI32x4S: 0xfa,
  f32x4ConvertI32x4U: 0xfb,
} as const;

/** SIMD memory opcodes (after 0xfd; followed by a memarg). */
export const SimdMemOp = {
  v128Load: 0x00,
  load16x4S: 0x03,
  load16x4U: 0x04,
  load32Zero: 0x5c,
  load64Zero: 0x5d,
  /** v128.load32_lane (memarg, then a lane index): replaces one 32-bit lane of a vector on the stack. */
  load32Lane: 0x56,
  v128Store: 0x0b,
} as const;

/** Appends `value` (an unsigned 32-bit integer) as unsigned LEB128. */
export function uleb128(out: number[], value: number): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/** Appends `value` (a signed 32-bit integer) as signed LEB128. */
export function sleb128(out: number[], value: number): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function utf8(out: number[], text: string): void {
  const bytes = new TextEncoder().encode(text);
  uleb128(out, bytes.length);
  out.push(...bytes);
}

/** log2 of a natural alignment in bytes (the memarg's alignment hint). */
function alignLog2(bytes: number): number {
  return Math.round(Math.log2(bytes));
}

/** One function's body; instructions are appended in stack-machine order. Methods chain. */
export class FunctionBuilder {
  private readonly localTypes: ValType[] = [];
  private readonly code: number[] = [];
  private depth = 0;

  constructor(readonly name: string, readonly params: readonly ValType[], readonly results: readonly ValType[]) {}

  /** Declares a local and returns its index (after the parameters). */
  local(type: ValType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  op(opcode: number): this {
    this.code.push(opcode);
    return this;
  }

  simd(opcode: number): this {
    this.code.push(0xfd);
    uleb128(this.code, opcode);
    return this;
  }

  private memarg(align: number, offset: number): void {
    uleb128(this.code, alignLog2(align));
    uleb128(this.code, offset);
  }

  /** A SIMD load/store with a constant byte `offset` added to the address on the stack. */
  simdMem(opcode: number, offset = 0, align = 1): this {
    this.simd(opcode);
    this.memarg(align, offset);
    return this;
  }

  /** v128.load (address on the stack, plus `offset`). */
  v128Load(offset = 0, align = 1): this {
    return this.simdMem(SimdMemOp.v128Load, offset, align);
  }

  /** v128.store (address, then value, on the stack). */
  v128Store(offset = 0, align = 1): this {
    return this.simdMem(SimdMemOp.v128Store, offset, align);
  }

  /** v128.load32_lane / v128.load64_lane style: memarg then a lane index. */
  simdLoadLane(opcode: number, lane: number, offset = 0, align = 1): this {
    this.simd(opcode);
    this.memarg(align, offset);
    this.code.push(lane);
    return this;
  }

  /** i8x16.shuffle with 16 lane indices (0..31 across the two operands). */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new Error('i8x16.shuffle needs 16 lane indices');
    this.simd(0x0d);
    this.code.push(...lanes);
    return this;
  }

  localGet(i: number): this {
    return this.indexed(0x20, i);
  }

  localSet(i: number): this {
    return this.indexed(0x21, i);
  }

  localTee(i: number): this {
    return this.indexed(0x22, i);
  }

  /** local[i] += step (i32): a constant or another local's value. */
  addTo(i: number, step: number | { local: number }): this {
    this.localGet(i);
    if (typeof step === 'number') this.i32Const(step);
    else this.localGet(step.local);
    return this.op(Op.i32Add).localSet(i);
  }

  i32Const(v: number): this {
    this.code.push(0x41);
    sleb128(this.code, v);
    return this;
  }

  f32Const(v: number): this {
    this.code.push(0x43);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.code.push(...b);
    return this;
  }

  i32Load(offset = 0, align = 4): this {
    return this.memOp(0x28, offset, align);
  }

  f32Load(offset = 0, align = 4): this {
    return this.memOp(0x2a, offset, align);
  }

  i32Load8U(offset = 0): this {
    return this.memOp(0x2d, offset, 1);
  }

  i32Store(offset = 0, align = 4): this {
    return this.memOp(0x36, offset, align);
  }

  f32Store(offset = 0, align = 4): this {
    return this.memOp(0x38, offset, align);
  }

  /** An instruction with one unsigned immediate (a local index or a branch depth). */
  private indexed(opcode: number, index: number): this {
    this.code.push(opcode);
    uleb128(this.code, index);
    return this;
  }

  /** A core load/store: opcode, then the memarg (alignment hint, constant byte offset). */
  private memOp(opcode: number, offset: number, align: number): this {
    this.code.push(opcode);
    this.memarg(align, offset);
    return this;
  }

  /** `block ... end` without a result: `br(n)`/`brIf(n)` that target it jump past its end. */
  block(body: () => void): this {
    return this.structured(0x02, body);
  }

  /** `loop ... end` without a result: `br(n)`/`brIf(n)` that target it jump back to its start. */
  loop(body: () => void): this {
    return this.structured(0x03, body);
  }

  /** Branch to the `depth`-th enclosing block or loop (0 = innermost). */
  br(depth: number): this {
    return this.indexed(0x0c, depth);
  }

  /** Branch to the `depth`-th enclosing block or loop when the i32 on the stack is non-zero. */
  brIf(depth: number): this {
    return this.indexed(0x0d, depth);
  }

  /**
   * A loop whose body runs at least once: `body()` emits the body, `next()` must leave the loop condition (i32,
   * non-zero = run again) on the stack. Structured as `loop ... br_if 0 end`.
   */
  doWhile(body: () => void, next: () => void): this {
    return this.loop(() => {
      body();
      next();
      this.brIf(0);
    });
  }

  /**
   * for (counter = init(); counter <u end; counter += step) body(): `counter` and `end` are i32 locals, `init` pushes
   * the start value, `step` is a constant or a local. The body may run zero times. Structured as
   * `block loop (counter >=u end) br_if 1 ... br 0 end end`.
   */
  forLoop(counter: number, init: () => void, end: number, step: number | { local: number }, body: () => void): this {
    init();
    this.localSet(counter);
    return this.block(() => {
      this.loop(() => {
        this.localGet(counter).localGet(end).op(Op.i32GeU).brIf(1);
        body();
        this.addTo(counter, step);
        this.br(0);
      });
    });
  }

  /** `if` (i32 condition on the stack) with an optional `else`, no result value. */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.code.push(0x04, 0x40);
    this.depth++;
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.code.push(0x0b);
    this.depth--;
    return this;
  }

  private structured(opcode: number, body: () => void): this {
    this.code.push(opcode, 0x40); // empty block type
    this.depth++;
    body();
    this.code.push(0x0b);
    this.depth--;
    return this;
  }

  /** The function's code entry (locals + body + end). */
  encodeBody(): number[] {
    if (this.depth !== 0) throw new Error(`${this.name}: unbalanced blocks`);
    const body: number[] = [];
    // Locals as runs of one type.
    const runs: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb128(body, runs.length);
    for (const [count, t] of runs) {
      uleb128(body, count);
      body.push(VALTYPE[t]);
    }
    body.push(...this.code, 0x0b);
    const out: number[] = [];
    uleb128(out, body.length);
    out.push(...body);
    return out;
  }
}

/**
 * The module's one linear memory (64 KiB pages). `own`: defined by the module. `imported`: env.memory, given at
 * instantiation, e.g. another module's heap (the tfjs wasm backend's) or a `WebAssembly.Memory({ shared: true })`
 * that several threads' instances use; a shared memory must declare a maximum.
 */
export type MemorySpec =
  | { kind: 'own'; pages: number }
  | { kind: 'imported'; minPages: number; maxPages?: number; shared?: boolean };

/** A module with one memory, exported as "memory" (also when imported), and exported functions. */
export class WasmModuleBuilder {
  private readonly funcs: FunctionBuilder[] = [];

  constructor(readonly memory: MemorySpec) {
    if (memory.kind === 'imported' && memory.shared && memory.maxPages === undefined) {
      throw new Error('a shared memory needs maxPages');
    }
  }

  func(name: string, params: readonly ValType[], results: readonly ValType[] = []): FunctionBuilder {
    const f = new FunctionBuilder(name, params, results);
    this.funcs.push(f);
    return f;
  }

  encode(): Uint8Array<ArrayBuffer> {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, content: number[]): void => {
      out.push(id);
      uleb128(out, content.length);
      out.push(...content);
    };
    // Types: one per function (duplicates are allowed and keep indices trivial).
    const types: number[] = [];
    uleb128(types, this.funcs.length);
    for (const f of this.funcs) {
      types.push(0x60);
      uleb128(types, f.params.length);
      for (const p of f.params) types.push(VALTYPE[p]);
      uleb128(types, f.results.length);
      for (const r of f.results) types.push(VALTYPE[r]);
    }
    section(1, types);
    const mem = this.memory;
    if (mem.kind === 'imported') {
      const imports: number[] = [1];
      utf8(imports, 'env');
      utf8(imports, 'memory');
      // Memory import; limits flag: 0 = minimum only, 1 = with maximum, 3 = shared with maximum.
      imports.push(0x02, mem.shared ? 0x03 : mem.maxPages === undefined ? 0x00 : 0x01);
      uleb128(imports, mem.minPages);
      if (mem.maxPages !== undefined) uleb128(imports, mem.maxPages);
      section(2, imports);
    }
    const funcs: number[] = [];
    uleb128(funcs, this.funcs.length);
    this.funcs.forEach((_, i) => uleb128(funcs, i));
    section(3, funcs);
    if (mem.kind === 'own') {
      const memory: number[] = [1, 0x00];
      uleb128(memory, mem.pages);
      section(5, memory);
    }
    const exports: number[] = [];
    uleb128(exports, this.funcs.length + 1);
    utf8(exports, 'memory');
    exports.push(0x02, 0x00);
    this.funcs.forEach((f, i) => {
      utf8(exports, f.name);
      exports.push(0x00);
      uleb128(exports, i);
    });
    section(7, exports);
    const code: number[] = [];
    uleb128(code, this.funcs.length);
    for (const f of this.funcs) code.push(...f.encodeBody());
    section(10, code);
    return Uint8Array.from(out);
  }
}
