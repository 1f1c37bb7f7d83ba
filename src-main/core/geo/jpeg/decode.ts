/**
 * A JPEG decoder for JPEG-in-TIFF (Compression=7) that reproduces libjpeg's output bit for bit, so that pixels
 * agree with GDAL: Huffman-coded baseline and extended-sequential 8-bit frames, 1..4 components, any integer
 * subsampling, restart intervals, abbreviated streams whose tables come from the TIFF JPEGTables tag.
 *
 * Not supported (a JpegError says so): progressive, lossless, hierarchical and arithmetic-coded frames, 12-bit
 * samples. GDAL itself cannot write those into a TIFF, and they are practically absent from GeoTIFFs.
 */
import { JpegError } from './errors';
import { BitReader, buildHuffmanTable, type HuffmanTable } from './huffman';
import { idctIslow } from './idct';
import { upsample } from './upsample';
import { yccToRgb } from './color';

/** Zig-zag position -> natural (row-major) position in the 8x8 block (T.81 figure A.6). */
const ZIGZAG = new Uint8Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
  54, 47, 55, 62, 63,
]);

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  /** libjpeg's downsampled_width / downsampled_height: samples carrying image data. */
  width: number;
  height: number;
  /** Blocks per row / column as allocated (whole MCUs). */
  blocksPerLine: number;
  blocksPerColumn: number;
  coefs: Int16Array;
  pred: number;
  dc?: HuffmanTable;
  ac?: HuffmanTable;
}

interface Frame {
  width: number;
  height: number;
  hmax: number;
  vmax: number;
  mcusX: number;
  mcusY: number;
  components: Component[];
}

/** Tables persist across the JPEGTables stream and the tile stream (abbreviated format, T.81 B.4/B.5). */
interface State {
  quant: (Uint16Array | undefined)[];
  dc: (HuffmanTable | undefined)[];
  ac: (HuffmanTable | undefined)[];
  restartInterval: number;
  frame?: Frame;
}

export interface DecodedJpeg {
  width: number;
  height: number;
  components: number;
  /** Pixel-interleaved samples, width * height * components bytes. */
  data: Uint8Array;
}

export interface JpegDecodeOptions {
  /** The TIFF JPEGTables tag: an abbreviated stream with DQT/DHT shared by all tiles. */
  tables?: Uint8Array;
  /** Convert 3-component YCbCr to RGB (TIFF Photometric=YCbCr, as GDAL does); otherwise components are raw. */
  ycbcrToRgb: boolean;
}

function u16(d: Uint8Array, p: number): number {
  if (p + 1 >= d.length) throw new JpegError('truncated JPEG stream');
  return (d[p] << 8) | d[p + 1];
}

/** Finds the next marker at or after `pos`; returns the index of its 0xFF byte or -1. */
function nextMarker(d: Uint8Array, pos: number): number {
  for (let p = pos; p + 1 < d.length; p++) {
    if (d[p] === 0xff && d[p + 1] !== 0x00 && d[p + 1] !== 0xff && !(d[p + 1] >= 0xd0 && d[p + 1] <= 0xd7)) return p;
  }
  return -1;
}

function readDQT(d: Uint8Array, start: number, end: number, state: State): void {
  let p = start;
  while (p < end) {
    const pq = d[p] >> 4;
    const tq = d[p] & 15;
    p++;
    if (tq > 3) throw new JpegError(`bad quantisation table id ${tq}`);
    const table = new Uint16Array(64);
    for (let k = 0; k < 64; k++) {
      table[ZIGZAG[k]] = pq ? u16(d, p + 2 * k) : d[p + k];
    }
    p += pq ? 128 : 64;
    state.quant[tq] = table;
  }
}

function readDHT(d: Uint8Array, start: number, end: number, state: State): void {
  let p = start;
  while (p < end) {
    const tc = d[p] >> 4;
    const th = d[p] & 15;
    if (th > 3 || tc > 1) throw new JpegError('bad Huffman table id');
    const counts = d.subarray(p + 1, p + 17);
    const total = counts.reduce((a, b) => a + b, 0);
    const values = d.subarray(p + 17, p + 17 + total);
    if (p + 17 + total > end) throw new JpegError('truncated Huffman table');
    (tc === 0 ? state.dc : state.ac)[th] = buildHuffmanTable(counts, values);
    p += 17 + total;
  }
}

function readSOF(d: Uint8Array, p: number, marker: number, state: State): void {
  if (marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce) {
    throw new JpegError('progressive JPEG is not supported in TIFF tiles');
  }
  if (marker !== 0xc0 && marker !== 0xc1) {
    const kind = marker >= 0xc9 ? 'arithmetic-coded' : marker === 0xc3 || marker === 0xc7 ? 'lossless' : 'hierarchical';
    throw new JpegError(`${kind} JPEG (SOF${marker - 0xc0}) is not supported`);
  }
  if (state.frame) throw new JpegError('more than one frame in a JPEG stream');
  const precision = d[p];
  if (precision !== 8) throw new JpegError(`${precision}-bit JPEG is not supported (only 8-bit)`);
  const height = u16(d, p + 1);
  const width = u16(d, p + 3);
  const n = d[p + 5];
  if (height === 0) throw new JpegError('JPEG frame height 0 (DNL marker) is not supported');
  if (width === 0 || n === 0 || n > 4) throw new JpegError(`bad JPEG frame header (${width}x${height}, ${n} components)`);
  const comps: Omit<Component, 'width' | 'height' | 'blocksPerLine' | 'blocksPerColumn' | 'coefs'>[] = [];
  for (let i = 0; i < n; i++) {
    const q = p + 6 + i * 3;
    const h = d[q + 1] >> 4;
    const v = d[q + 1] & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw new JpegError(`bad sampling factors ${h}x${v}`);
    comps.push({ id: d[q], h, v, tq: d[q + 2], pred: 0 });
  }
  const hmax = Math.max(...comps.map((c) => c.h));
  const vmax = Math.max(...comps.map((c) => c.v));
  const mcusX = Math.ceil(width / (8 * hmax));
  const mcusY = Math.ceil(height / (8 * vmax));
  const components = comps.map((c): Component => {
    const blocksPerLine = mcusX * c.h;
    const blocksPerColumn = mcusY * c.v;
    return {
      ...c,
      width: Math.ceil((width * c.h) / hmax),
      height: Math.ceil((height * c.v) / vmax),
      blocksPerLine,
      blocksPerColumn,
      coefs: new Int16Array(blocksPerLine * blocksPerColumn * 64),
    };
  });
  state.frame = { width, height, hmax, vmax, mcusX, mcusY, components };
}

function decodeBlock(reader: BitReader, c: Component, offset: number): void {
  const coefs = c.coefs;
  const t = reader.decode(c.dc as HuffmanTable);
  c.pred += reader.receiveExtend(t);
  coefs[offset] = c.pred;
  const ac = c.ac as HuffmanTable;
  for (let k = 1; k < 64; ) {
    const rs = reader.decode(ac);
    const s = rs & 15;
    const r = rs >> 4;
    if (s === 0) {
      if (r !== 15) break; // end of block
      k += 16;
      continue;
    }
    k += r;
    if (k > 63) throw new JpegError('corrupt entropy-coded data (coefficient index past 63)');
    coefs[offset + ZIGZAG[k]] = reader.receiveExtend(s);
    k++;
  }
}

/** Decodes one sequential scan starting at `p` (the byte after the SOS header); returns the position after it. */
function readScan(d: Uint8Array, p: number, scanComps: Component[], state: State): number {
  const frame = state.frame as Frame;
  const reader = new BitReader(d, p);
  for (const c of scanComps) c.pred = 0;
  const single = scanComps.length === 1;
  const c0 = scanComps[0];
  // A non-interleaved scan codes only the blocks that hold image data; an interleaved one codes whole MCUs.
  const unitsX = single ? Math.ceil(c0.width / 8) : frame.mcusX;
  const unitsY = single ? Math.ceil(c0.height / 8) : frame.mcusY;
  const total = unitsX * unitsY;
  const interval = state.restartInterval;
  let rst = 0;
  for (let m = 0; m < total; m++) {
    if (interval > 0 && m > 0 && m % interval === 0) {
      reader.restart(rst);
      rst = (rst + 1) & 7;
      for (const c of scanComps) c.pred = 0;
    }
    const my = Math.floor(m / unitsX);
    const mx = m - my * unitsX;
    if (single) {
      decodeBlock(reader, c0, (my * c0.blocksPerLine + mx) * 64);
    } else {
      for (const c of scanComps) {
        for (let v = 0; v < c.v; v++) {
          const row = my * c.v + v;
          for (let h = 0; h < c.h; h++) decodeBlock(reader, c, (row * c.blocksPerLine + mx * c.h + h) * 64);
        }
      }
    }
  }
  if (reader.marker >= 0) return reader.pos;
  const next = nextMarker(d, reader.pos);
  return next < 0 ? d.length : next;
}

function readSOS(d: Uint8Array, p: number, state: State): number {
  const frame = state.frame;
  if (!frame) throw new JpegError('scan before frame header');
  const n = d[p];
  const scanComps: Component[] = [];
  for (let i = 0; i < n; i++) {
    const id = d[p + 1 + i * 2];
    const tables = d[p + 2 + i * 2];
    const c = frame.components.find((x) => x.id === id);
    if (!c) throw new JpegError(`scan names unknown component ${id}`);
    c.dc = state.dc[tables >> 4];
    c.ac = state.ac[tables & 15];
    if (!c.dc || !c.ac) throw new JpegError('scan uses an undefined Huffman table');
    if (!state.quant[c.tq]) throw new JpegError(`component ${id} uses undefined quantisation table ${c.tq}`);
    scanComps.push(c);
  }
  const headerEnd = p + 1 + n * 2 + 3;
  const ss = d[headerEnd - 3];
  const se = d[headerEnd - 2];
  if (ss !== 0 || se !== 63) throw new JpegError('spectral selection in a sequential scan');
  return readScan(d, headerEnd, scanComps, state);
}

/** Walks the markers of one stream, filling `state`; decodes scans as they come. */
function parse(d: Uint8Array, state: State, tablesOnly: boolean): void {
  if (d.length < 4 || d[0] !== 0xff || d[1] !== 0xd8) throw new JpegError('not a JPEG stream (no SOI marker)');
  let p = 2;
  let scans = 0;
  while (p < d.length) {
    if (d[p] !== 0xff) {
      const next = nextMarker(d, p);
      if (next < 0) break;
      p = next;
    }
    while (p < d.length && d[p] === 0xff) p++; // fill bytes
    if (p >= d.length) break;
    const marker = d[p++];
    if (marker === 0xd9) break; // EOI
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    const len = u16(d, p);
    const start = p + 2;
    const end = p + len;
    if (len < 2 || end > d.length) throw new JpegError(`truncated JPEG segment (marker 0x${marker.toString(16)})`);
    if (marker === 0xdb) readDQT(d, start, end, state);
    else if (marker === 0xc4) readDHT(d, start, end, state);
    else if (marker === 0xdd) state.restartInterval = u16(d, start);
    else if (marker === 0xcc) throw new JpegError('arithmetic-coded JPEG is not supported');
    else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc8) {
      if (tablesOnly) throw new JpegError('JPEGTables holds a frame header');
      readSOF(d, start, marker, state);
    } else if (marker === 0xda) {
      if (tablesOnly) throw new JpegError('JPEGTables holds a scan');
      p = readSOS(d, start, state);
      scans++;
      continue;
    }
    p = end;
  }
  if (!tablesOnly && scans === 0) throw new JpegError('JPEG stream holds no scan (truncated?)');
}

/** Decodes a JPEG-in-TIFF tile or strip to interleaved 8-bit samples, exactly as libjpeg (and so GDAL) would. */
export function decodeJpeg(data: Uint8Array, options: JpegDecodeOptions): DecodedJpeg {
  const state: State = { quant: [], dc: [], ac: [], restartInterval: 0 };
  if (options.tables && options.tables.length > 4) parse(options.tables, state, true);
  parse(data, state, false);
  const frame = state.frame as Frame;
  const { width, height, components } = frame;
  const planes = components.map((c) => {
    const stride = c.blocksPerLine * 8;
    const plane = new Uint8Array(stride * c.blocksPerColumn * 8);
    const quant = state.quant[c.tq] as Uint16Array;
    // Only blocks that hold image data need the IDCT; the rest is MCU padding.
    const bx = Math.ceil(c.width / 8);
    const by = Math.ceil(c.height / 8);
    for (let r = 0; r < by; r++) {
      for (let b = 0; b < bx; b++) {
        idctIslow(c.coefs, (r * c.blocksPerLine + b) * 64, quant, plane, r * 8 * stride + b * 8, stride);
      }
    }
    const hf = frame.hmax / c.h;
    const vf = frame.vmax / c.v;
    if (!Number.isInteger(hf) || !Number.isInteger(vf)) {
      throw new JpegError(`unsupported non-integer subsampling ${frame.hmax}/${c.h} x ${frame.vmax}/${c.v}`);
    }
    return upsample({ data: plane, stride, width: c.width, height: c.height }, hf, vf, width, height);
  });
  const n = components.length;
  const out = new Uint8Array(width * height * n);
  if (options.ycbcrToRgb && n === 3) {
    yccToRgb(planes[0], planes[1], planes[2], out);
  } else if (n === 1) {
    out.set(planes[0]);
  } else {
    for (let i = 0; i < width * height; i++) for (let k = 0; k < n; k++) out[i * n + k] = planes[k][i];
  }
  return { width, height, components: n, data: out };
}
