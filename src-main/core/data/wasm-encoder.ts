/**
 * A minimal WebAssembly binary encoder: just enough to emit small compute kernels (functions over one linear
 * memory, with i32/f32/v128 locals, loops and SIMD arithmetic) from TypeScript. The batch kernels (simd-kernels.ts)
 * are written with it, so the repository holds their source and never an opaque .wasm file, and no assembler or
 * compiler toolchain is needed at build time.
 *
 *   const m = new WasmModuleBuilder(17);                  // 17 pages of memory, exported as "memory"
 *   const f = m.func('scale', ['i32', 'f32'], []);         // params become locals 0..n-1
 *   const x = f.local('f32');
 *   f.localGet(0).f32Load().localGet(1).op(Op.f32Mul).localSet(x);
 *   const bytes = m.encode();
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
  i32x4ExtendLowI16x8S: 0xa7,
  i32x4ExtendLowI16x8U: 0xa9,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
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

function uleb(out: number[], value: number): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function sleb(out: number[], value: number): void {
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
  uleb(out, bytes.length);
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
    uleb(this.code, opcode);
    return this;
  }

  private memarg(align: number, offset: number): void {
    uleb(this.code, alignLog2(align));
    uleb(this.code, offset);
  }

  /** A SIMD load/store with a constant byte `offset` added to the address on the stack. */
  simdMem(opcode: number, offset = 0, align = 1): this {
    this.simd(opcode);
    this.memarg(align, offset);
    return this;
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
    this.code.push(0x20);
    uleb(this.code, i);
    return this;
  }

  localSet(i: number): this {
    this.code.push(0x21);
    uleb(this.code, i);
    return this;
  }

  localTee(i: number): this {
    this.code.push(0x22);
    uleb(this.code, i);
    return this;
  }

  i32Const(v: number): this {
    this.code.push(0x41);
    sleb(this.code, v);
    return this;
  }

  f32Const(v: number): this {
    this.code.push(0x43);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.code.push(...b);
    return this;
  }

  i32Load(offset = 0, align = 4): this {
    this.code.push(0x28);
    this.memarg(align, offset);
    return this;
  }

  f32Load(offset = 0, align = 4): this {
    this.code.push(0x2a);
    this.memarg(align, offset);
    return this;
  }

  i32Load8U(offset = 0): this {
    this.code.push(0x2d);
    this.memarg(1, offset);
    return this;
  }

  i32Store(offset = 0, align = 4): this {
    this.code.push(0x36);
    this.memarg(align, offset);
    return this;
  }

  f32Store(offset = 0, align = 4): this {
    this.code.push(0x38);
    this.memarg(align, offset);
    return this;
  }

  /**
   * A loop whose body runs at least once: `body()` emits the body, `next()` must leave the loop condition (i32,
   * non-zero = run again) on the stack. Structured as `loop ... br_if 0 end`.
   */
  doWhile(body: () => void, next: () => void): this {
    this.code.push(0x03, 0x40);
    this.depth++;
    body();
    next();
    this.code.push(0x0d, 0x00, 0x0b);
    this.depth--;
    return this;
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
    uleb(body, runs.length);
    for (const [count, t] of runs) {
      uleb(body, count);
      body.push(VALTYPE[t]);
    }
    body.push(...this.code, 0x0b);
    const out: number[] = [];
    uleb(out, body.length);
    out.push(...body);
    return out;
  }
}

/**
 * A module with one memory of `pages` 64 KiB pages, exported as "memory", and exported functions. With
 * `sharedMaximum` the memory is instead imported as env.memory, shared, of at least `pages` and at most
 * `sharedMaximum` pages (a `WebAssembly.Memory({ shared: true })` that several threads' instances use).
 */
export class WasmModuleBuilder {
  private readonly funcs: FunctionBuilder[] = [];

  constructor(readonly pages: number, readonly sharedMaximum?: number) {}

  func(name: string, params: readonly ValType[], results: readonly ValType[] = []): FunctionBuilder {
    const f = new FunctionBuilder(name, params, results);
    this.funcs.push(f);
    return f;
  }

  encode(): Uint8Array<ArrayBuffer> {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, content: number[]): void => {
      out.push(id);
      uleb(out, content.length);
      out.push(...content);
    };
    // Types: one per function (duplicates are allowed and keep indices trivial).
    const types: number[] = [];
    uleb(types, this.funcs.length);
    for (const f of this.funcs) {
      types.push(0x60);
      uleb(types, f.params.length);
      for (const p of f.params) types.push(VALTYPE[p]);
      uleb(types, f.results.length);
      for (const r of f.results) types.push(VALTYPE[r]);
    }
    section(1, types);
    if (this.sharedMaximum !== undefined) {
      const imports: number[] = [1];
      utf8(imports, 'env');
      utf8(imports, 'memory');
      imports.push(0x02, 0x03); // memory, limits: shared with a maximum
      uleb(imports, this.pages);
      uleb(imports, this.sharedMaximum);
      section(2, imports);
    }
    const funcs: number[] = [];
    uleb(funcs, this.funcs.length);
    this.funcs.forEach((_, i) => uleb(funcs, i));
    section(3, funcs);
    if (this.sharedMaximum === undefined) {
      const memory: number[] = [1, 0x00];
      uleb(memory, this.pages);
      section(5, memory);
    }
    const exports: number[] = [];
    uleb(exports, this.funcs.length + 1);
    utf8(exports, 'memory');
    exports.push(0x02, 0x00);
    this.funcs.forEach((f, i) => {
      utf8(exports, f.name);
      exports.push(0x00);
      uleb(exports, i);
    });
    section(7, exports);
    const code: number[] = [];
    uleb(code, this.funcs.length);
    for (const f of this.funcs) code.push(...f.encodeBody());
    section(10, code);
    return Uint8Array.from(out);
  }
}
