/**
 * A minimal WebAssembly binary writer: enough to assemble a handful of SIMD loops that work on the tfjs wasm
 * backend's memory (imported, so they read and write tensors in place). Only what those loops use is here:
 * i32/f32 scalars, v128 loads/stores and arithmetic, blocks, loops and branches. Encodings follow the
 * WebAssembly core spec (binary format) and its fixed-width SIMD extension (prefix 0xfd).
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** SIMD opcodes used here (all behind the 0xfd prefix). */
export const SIMD = {
  load: 0x00,
  store: 0x0b,
  shuffle: 0x0d,
  f32x4Splat: 0x13,
  f32x4Eq: 0x41,
  f32x4Gt: 0x44,
  and: 0x4e,
  andNot: 0x4f,
  or: 0x50,
  promoteLow: 0x5f,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Max: 0xe9,
  f64x2Add: 0xf0,
  f64x2Mul: 0xf2,
} as const;

/** One function body under construction; locals are numbered after the parameters. */
export class Fn {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: ValType[],
  ) {}

  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  get(i: number): this {
    this.code.push(0x20, ...uleb(i));
    return this;
  }
  set(i: number): this {
    this.code.push(0x21, ...uleb(i));
    return this;
  }
  tee(i: number): this {
    this.code.push(0x22, ...uleb(i));
    return this;
  }
  i32(v: number): this {
    this.code.push(0x41, ...sleb(v | 0));
    return this;
  }
  f32(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.code.push(0x43, ...b);
    return this;
  }
  add(): this {
    this.code.push(0x6a);
    return this;
  }
  /** f32.load (natural alignment) at the address on the stack. */
  loadF32(): this {
    this.code.push(0x2a, 2, 0);
    return this;
  }
  sub(): this {
    this.code.push(0x6b);
    return this;
  }
  mul(): this {
    this.code.push(0x6c);
    return this;
  }
  geU(): this {
    this.code.push(0x4f);
    return this;
  }
  /** local[i] += step (i32). */
  inc(i: number, step: number | { local: number }): this {
    this.get(i);
    if (typeof step === 'number') this.i32(step);
    else this.get(step.local);
    return this.add().set(i);
  }
  simd(op: number): this {
    this.code.push(0xfd, ...uleb(op));
    return this;
  }
  /** v128.load with a constant byte offset from the address on the stack. */
  load(offset = 0): this {
    this.code.push(0xfd, ...uleb(SIMD.load), 0, ...uleb(offset));
    return this;
  }
  store(offset = 0): this {
    this.code.push(0xfd, ...uleb(SIMD.store), 0, ...uleb(offset));
    return this;
  }
  shuffle(lanes: number[]): this {
    this.code.push(0xfd, ...uleb(SIMD.shuffle), ...lanes);
    return this;
  }
  /**
   * for (counter = start; counter < end; counter += step) body — counter and end are i32 locals, start is pushed
   * by `init`.
   */
  forLoop(counter: number, init: () => void, end: number, step: number | { local: number }, body: () => void): this {
    init();
    this.set(counter);
    this.code.push(0x02, 0x40, 0x03, 0x40); // block, loop
    this.get(counter).get(end).geU();
    this.code.push(0x0d, 0x01); // br_if 1 (leave the block)
    body();
    this.inc(counter, step);
    this.code.push(0x0c, 0x00, 0x0b, 0x0b); // br 0 (loop), end loop, end block
    return this;
  }

  body(): number[] {
    const groups: number[] = [];
    let count = 0;
    for (let i = 0; i < this.locals.length; ) {
      let j = i;
      while (j < this.locals.length && this.locals[j] === this.locals[i]) j++;
      groups.push(...uleb(j - i), this.locals[i]);
      count++;
      i = j;
    }
    const bytes = [...uleb(count), ...groups, ...this.code, 0x0b];
    return [...uleb(bytes.length), ...bytes];
  }
}

/**
 * A module of `functions` (no results) that imports its memory as env.memory: shared (threads build of the
 * backend, maximum 4 GiB as Emscripten declares it) or not.
 */
export function assemble(functions: Fn[], sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  const types: number[] = [...uleb(functions.length)];
  for (const f of functions) types.push(0x60, ...uleb(f.params.length), ...f.params, 0);
  const limits = sharedMemory ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const imports = [...uleb(1), ...utf8('env'), ...utf8('memory'), 0x02, ...limits];
  const funcs = [...uleb(functions.length), ...functions.flatMap((_, i) => uleb(i))];
  const exports = [...uleb(functions.length), ...functions.flatMap((f, i) => [...utf8(f.name), 0x00, ...uleb(i)])];
  const code = [...uleb(functions.length), ...functions.flatMap((f) => f.body())];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ]);
}
