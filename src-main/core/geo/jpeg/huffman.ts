/**
 * Huffman tables and the entropy-coded bit stream of a baseline / extended-sequential JPEG (ITU T.81, annex C and
 * F.2.2). Entropy decoding is lossless, so any correct implementation matches libjpeg here; the exactness work
 * lives in idct.ts, upsample.ts and color.ts.
 */
import { JpegError } from './errors';

/** Codes up to this many bits are resolved with one table lookup; longer ones fall back to the canonical walk. */
const LOOKAHEAD = 9;

export interface HuffmanTable {
  /** For each LOOKAHEAD-bit prefix: (code length << 8) | symbol, or 0 when the code is longer than LOOKAHEAD. */
  lookup: Uint16Array;
  /** Largest code of each length 1..16 (-1 when there is none), per T.81 figure F.16. */
  maxcode: Int32Array;
  /** Index into `values` of the first code of each length, minus that code. */
  valoffset: Int32Array;
  values: Uint8Array;
}

/** Builds a table from the DHT segment's 16 code-length counts and its symbol list (T.81 annex C). */
export function buildHuffmanTable(counts: Uint8Array, values: Uint8Array): HuffmanTable {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total > 256 || total > values.length) throw new JpegError('bad Huffman table (too many symbols)');
  const maxcode = new Int32Array(18).fill(-1);
  const valoffset = new Int32Array(18);
  const lookup = new Uint16Array(1 << LOOKAHEAD);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1];
    valoffset[len] = k - code;
    for (let i = 0; i < n; i++) {
      if (len <= LOOKAHEAD) {
        // Every LOOKAHEAD-bit prefix that starts with this code maps to it.
        const shift = LOOKAHEAD - len;
        const first = code << shift;
        for (let j = 0; j < 1 << shift; j++) lookup[first + j] = (len << 8) | values[k];
      }
      code++;
      k++;
    }
    if (n > 0) maxcode[len] = code - 1;
    if (code > 1 << len) throw new JpegError('bad Huffman table (code space overflow)');
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff; // sentinel: a code longer than 16 bits is corrupt data
  return { lookup, maxcode, valoffset, values: values.slice(0, total) };
}

/**
 * Reads bits from entropy-coded data, un-stuffing 0xFF00. At a marker it stops and feeds zero bits, as libjpeg
 * does (a premature marker in a damaged file gives grey blocks rather than a crash); `marker` records it.
 */
export class BitReader {
  private buffer = 0;
  private bits = 0;
  /** The marker byte (0xD0..0xFF) that ended the data, or -1. */
  marker = -1;

  constructor(
    private readonly data: Uint8Array,
    public pos: number,
  ) {}

  private fill(): void {
    while (this.bits <= 24) {
      let byte = 0;
      if (this.marker < 0 && this.pos < this.data.length) {
        byte = this.data[this.pos];
        if (byte === 0xff) {
          // 0xFF 0x00 is a stuffed 0xFF data byte; 0xFF then anything else starts a marker, possibly after fill
          // bytes 0xFF (T.81 B.1.1.2). Stop consuming there and feed zeros.
          let q = this.pos + 1;
          while (q < this.data.length && this.data[q] === 0xff) q++;
          const next = q < this.data.length ? this.data[q] : -1;
          if (next === 0x00 && q === this.pos + 1) {
            this.pos += 2;
          } else {
            this.marker = next <= 0 ? 0xd9 : next;
            byte = 0;
          }
        } else {
          this.pos++;
        }
      } else {
        if (this.marker < 0) this.marker = 0xd9; // data ran out without EOI
      }
      this.buffer = ((this.buffer << 8) | byte) >>> 0;
      this.bits += 8;
    }
  }

  peek(n: number): number {
    if (this.bits < n) this.fill();
    return (this.buffer >>> (this.bits - n)) & ((1 << n) - 1);
  }

  skip(n: number): void {
    this.bits -= n;
  }

  read(n: number): number {
    if (n === 0) return 0;
    const v = this.peek(n);
    this.bits -= n;
    return v;
  }

  decode(table: HuffmanTable): number {
    const look = table.lookup[this.peek(LOOKAHEAD)];
    if (look !== 0) {
      this.bits -= look >> 8;
      return look & 0xff;
    }
    // Longer than LOOKAHEAD bits: walk the canonical code (T.81 figure F.16).
    let code = this.read(LOOKAHEAD);
    let len = LOOKAHEAD;
    while (code > table.maxcode[len]) {
      if (len >= 17) throw new JpegError('corrupt entropy-coded data (invalid Huffman code)');
      code = (code << 1) | this.read(1);
      len++;
    }
    if (len > 16) throw new JpegError('corrupt entropy-coded data (invalid Huffman code)');
    const idx = table.valoffset[len] + code;
    if (idx < 0 || idx >= table.values.length) throw new JpegError('corrupt entropy-coded data (invalid Huffman code)');
    return table.values[idx];
  }

  /** T.81 F.2.2.1 EXTEND: an s-bit magnitude category to a signed value. */
  receiveExtend(s: number): number {
    if (s === 0) return 0;
    if (s > 16) throw new JpegError('corrupt entropy-coded data (magnitude category > 16)');
    const v = this.read(s);
    return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
  }

  /** Drops buffered bits and steps over the RSTn marker that must come next (T.81 F.2.2.5). */
  restart(expected: number): void {
    this.bits = 0;
    this.buffer = 0;
    // If the reader stopped before reaching the marker, skip the interval's padding bits to it.
    while (this.pos + 1 < this.data.length && !(this.data[this.pos] === 0xff && this.data[this.pos + 1] !== 0x00)) this.pos++;
    let q = this.pos;
    while (q < this.data.length && this.data[q] === 0xff) q++; // fill bytes
    const found = q < this.data.length ? this.data[q] : -1;
    if (found !== 0xd0 + expected) {
      const what = found < 0 ? 'the end of the data' : `marker 0x${found.toString(16)}`;
      throw new JpegError(`corrupt entropy-coded data (expected RST${expected}, found ${what})`);
    }
    this.pos = q + 1;
    this.marker = -1;
  }
}
