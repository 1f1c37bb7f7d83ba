/**
 * A tiny baseline JPEG encoder for decoder tests: every block carries only a DC coefficient (its AC part is one
 * end-of-block code), so the decoded value of each 8x8 block is known in closed form. It writes restart markers
 * and interleaved multi-component scans, which no file in the shared data has.
 */

/** Standard luminance DC table (ITU T.81 K.3): code-length counts and symbols 0..11. */
const DC_COUNTS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = Array.from({ length: 12 }, (_, i) => i);
/** An AC table with a single symbol, end-of-block, coded as '0'. */
const AC_COUNTS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_VALUES = [0x00];

function canonicalCodes(counts: number[], values: number[]): Map<number, [code: number, length: number]> {
  const codes = new Map<number, [number, number]>();
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < counts[len - 1]; i++) codes.set(values[k++], [code++, len]);
    code <<= 1;
  }
  return codes;
}

class BitWriter {
  readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;

  put(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) {
        this.bytes.push(this.acc);
        if (this.acc === 0xff) this.bytes.push(0x00); // byte stuffing
        this.acc = 0;
        this.n = 0;
      }
    }
  }

  /** Pads the last byte with 1-bits, as T.81 F.1.2.3 asks before a marker. */
  flush(): void {
    if (this.n > 0) this.put((1 << (8 - this.n)) - 1, 8 - this.n);
  }
}

export interface DcOnlyComponent {
  /** Quantised DC coefficient of each block, in raster order of the component's blocks. */
  dc: number[];
  /** DC quantiser step. */
  q: number;
}

export interface DcOnlyJpeg {
  width: number;
  height: number;
  /** 1..3 components, all 1x1 sampled (one block per component per MCU). */
  components: DcOnlyComponent[];
  restartInterval?: number;
  /** Fill bytes 0xFF written before each RSTn marker (legal, T.81 B.1.1.2). */
  fillBytes?: number;
}

export function encodeDcOnlyJpeg(spec: DcOnlyJpeg): Uint8Array {
  const dcCodes = canonicalCodes(DC_COUNTS, DC_VALUES);
  const acCodes = canonicalCodes(AC_COUNTS, AC_VALUES);
  const n = spec.components.length;
  const out: number[] = [0xff, 0xd8];
  const segment = (marker: number, body: number[]): void => {
    out.push(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body);
  };
  spec.components.forEach((c, i) => segment(0xdb, [i, c.q, ...Array(63).fill(1)]));
  segment(0xc0, [8, spec.height >> 8, spec.height & 0xff, spec.width >> 8, spec.width & 0xff, n,
    ...spec.components.flatMap((_, i) => [i + 1, 0x11, i])]);
  segment(0xc4, [0x00, ...DC_COUNTS, ...DC_VALUES, 0x10, ...AC_COUNTS, ...AC_VALUES]);
  if (spec.restartInterval) segment(0xdd, [spec.restartInterval >> 8, spec.restartInterval & 0xff]);
  segment(0xda, [n, ...spec.components.flatMap((_, i) => [i + 1, 0x00]), 0, 63, 0]);

  const mcus = Math.ceil(spec.width / 8) * Math.ceil(spec.height / 8);
  let writer = new BitWriter();
  const pred = new Array<number>(n).fill(0);
  for (let m = 0; m < mcus; m++) {
    if (spec.restartInterval && m > 0 && m % spec.restartInterval === 0) {
      writer.flush();
      out.push(...writer.bytes, ...Array(spec.fillBytes ?? 0).fill(0xff), 0xff, 0xd0 + ((m / spec.restartInterval - 1) & 7));
      writer = new BitWriter();
      pred.fill(0);
    }
    spec.components.forEach((c, i) => {
      const diff = c.dc[m] - pred[i];
      pred[i] = c.dc[m];
      const size = Math.abs(diff) === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
      const [code, len] = dcCodes.get(size) as [number, number];
      writer.put(code, len);
      if (size > 0) writer.put(diff >= 0 ? diff : diff + (1 << size) - 1, size);
      const [eob, eobLen] = acCodes.get(0x00) as [number, number];
      writer.put(eob, eobLen);
    });
  }
  writer.flush();
  out.push(...writer.bytes, 0xff, 0xd9);
  return Uint8Array.from(out);
}

/** What libjpeg's islow IDCT makes of a DC-only block: 128 + DESCALE(dc * q, 3), clamped. */
export function dcOnlySample(dc: number, q: number): number {
  return Math.min(255, Math.max(0, 128 + Math.floor((dc * q + 4) / 8)));
}
