/**
 * A minimal Parquet writer for test fixtures (no writer library is installed): one row group, uncompressed PLAIN
 * data pages, string columns (required BYTE_ARRAY/UTF8) and string-list columns (the standard 3-level LIST:
 * required group <name> (LIST) { repeated group list { required binary element (UTF8) } }), as pandas/pyarrow
 * write reBEN's metadata.parquet. Enough to exercise the reader through hyparquet; not a general writer.
 */
import { writeFileSync } from 'node:fs';

type Column = { name: string; kind: 'string'; values: string[] } | { name: string; kind: 'list'; values: string[][] };

class Bytes {
  private parts: number[] = [];
  byte(b: number): this {
    this.parts.push(b & 0xff);
    return this;
  }
  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.parts.push(bytes[i] & 0xff);
    return this;
  }
  varint(v: bigint): this {
    let x = v;
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) b |= 0x80;
      this.parts.push(b);
    } while (x !== 0n);
    return this;
  }
  u32le(v: number): this {
    return this.raw([v, v >>> 8, v >>> 16, v >>> 24]);
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

// Thrift compact protocol.
const T = { I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;
type Field = [id: number, type: number, write: (b: Bytes) => void];
const zigzag = (v: number | bigint): bigint => {
  const x = BigInt(v);
  return x >= 0n ? x << 1n : ((-x) << 1n) - 1n;
};
function struct(b: Bytes, fields: Field[]): void {
  let last = 0;
  for (const [id, type, write] of fields) {
    const delta = id - last;
    if (delta > 0 && delta <= 15) b.byte((delta << 4) | type);
    else b.byte(type).varint(zigzag(id));
    write(b);
    last = id;
  }
  b.byte(0);
}
const i32 = (v: number) => (b: Bytes) => void b.varint(zigzag(v));
const i64 = (v: number) => (b: Bytes) => void b.varint(zigzag(v));
const str = (s: string) => (b: Bytes) => {
  const bytes = Buffer.from(s, 'utf8');
  b.varint(BigInt(bytes.length)).raw(bytes);
};
const list = (elemType: number, items: ((b: Bytes) => void)[]) => (b: Bytes) => {
  if (items.length < 15) b.byte((items.length << 4) | elemType);
  else b.byte(0xf0 | elemType).varint(BigInt(items.length));
  for (const w of items) w(b);
};
const sub = (fields: Field[]) => (b: Bytes) => struct(b, fields);

/** RLE/bit-packed hybrid, bit width 1, one bit-packed run, with the 4-byte length prefix of data page v1. */
function levels(values: number[]): Uint8Array {
  const groups = Math.ceil(values.length / 8);
  const body = new Bytes().varint(BigInt((groups << 1) | 1));
  for (let g = 0; g < groups; g++) {
    let byte = 0;
    for (let k = 0; k < 8; k++) if (values[g * 8 + k]) byte |= 1 << k;
    body.byte(byte);
  }
  const bytes = body.done();
  return new Bytes().u32le(bytes.length).raw(bytes).done();
}

function plainStrings(values: string[]): Uint8Array {
  const b = new Bytes();
  for (const v of values) {
    const bytes = Buffer.from(v, 'utf8');
    b.u32le(bytes.length).raw(bytes);
  }
  return b.done();
}

export function writeParquet(path: string, columns: Column[]): void {
  const rows = columns[0].values.length;
  const file = new Bytes().raw(Buffer.from('PAR1'));
  const chunks: { offset: number; size: number; numValues: number; path: string[] }[] = [];
  for (const col of columns) {
    let data: Uint8Array;
    let numValues: number;
    if (col.kind === 'string') {
      data = plainStrings(col.values);
      numValues = rows;
    } else {
      const rep: number[] = [];
      const def: number[] = [];
      const flat: string[] = [];
      for (const row of col.values) {
        if (row.length === 0) {
          rep.push(0);
          def.push(0);
        }
        row.forEach((v, k) => {
          rep.push(k === 0 ? 0 : 1);
          def.push(1);
          flat.push(v);
        });
      }
      const parts = [levels(rep), levels(def), plainStrings(flat)];
      data = Uint8Array.from(parts.flatMap((p) => Array.from(p)));
      numValues = rep.length;
    }
    const header = new Bytes();
    struct(header, [
      [1, T.I32, i32(0)], // DATA_PAGE
      [2, T.I32, i32(data.length)],
      [3, T.I32, i32(data.length)],
      [5, T.STRUCT, sub([[1, T.I32, i32(numValues)], [2, T.I32, i32(0)], [3, T.I32, i32(3)], [4, T.I32, i32(3)]])],
    ]);
    const offset = file.length;
    file.raw(header.done()).raw(data);
    chunks.push({ offset, size: file.length - offset, numValues, path: col.kind === 'string' ? [col.name] : [col.name, 'list', 'element'] });
  }
  const schema: ((b: Bytes) => void)[] = [sub([[4, T.BINARY, str('schema')], [5, T.I32, i32(columns.length)]])];
  for (const col of columns) {
    if (col.kind === 'string') {
      schema.push(sub([[1, T.I32, i32(6)], [3, T.I32, i32(0)], [4, T.BINARY, str(col.name)], [6, T.I32, i32(0)]]));
    } else {
      schema.push(sub([[3, T.I32, i32(0)], [4, T.BINARY, str(col.name)], [5, T.I32, i32(1)], [6, T.I32, i32(3)]]));
      schema.push(sub([[3, T.I32, i32(2)], [4, T.BINARY, str('list')], [5, T.I32, i32(1)]]));
      schema.push(sub([[1, T.I32, i32(6)], [3, T.I32, i32(0)], [4, T.BINARY, str('element')], [6, T.I32, i32(0)]]));
    }
  }
  const total = chunks.reduce((s, c) => s + c.size, 0);
  const meta = new Bytes();
  struct(meta, [
    [1, T.I32, i32(1)],
    [2, T.LIST, list(T.STRUCT, schema)],
    [3, T.I64, i64(rows)],
    [4, T.LIST, list(T.STRUCT, [sub([
      [1, T.LIST, list(T.STRUCT, chunks.map((c, k) => sub([
        [2, T.I64, i64(c.offset)],
        [3, T.STRUCT, sub([
          [1, T.I32, i32(6)],
          [2, T.LIST, list(T.I32, [i32(0), i32(3)])],
          [3, T.LIST, list(T.BINARY, c.path.map(str))],
          [4, T.I32, i32(0)],
          [5, T.I64, i64(c.numValues)],
          [6, T.I64, i64(c.size)],
          [7, T.I64, i64(c.size)],
          [9, T.I64, i64(chunks[k].offset)],
        ])],
      ])))],
      [2, T.I64, i64(total)],
      [3, T.I64, i64(rows)],
    ])])],
  ]);
  const m = meta.done();
  file.raw(m).u32le(m.length).raw(Buffer.from('PAR1'));
  writeFileSync(path, file.done());
}
