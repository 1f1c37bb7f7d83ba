/**
 * A small, fast, seeded pseudo-random generator used everywhere a random choice is made (splits, augmentation,
 * synthetic data, shuffling, weight init), so that every run is reproducible from its seed.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's "small fast counting" generator, 128-bit state, passes PractRand/BigCrush
 * for these uses) in pure 32-bit integer arithmetic, which is fast in V8 and gives identical streams on every
 * platform. Seeds (numbers or strings) are expanded to the 128-bit state by a 32-bit avalanche hash.
 *
 * Independent streams: `fork(label)` derives a child generator from the parent's *seed path* and the label, not from
 * how many numbers the parent has drawn. So `rng.fork('augment')` yields the same stream whatever other code drew
 * from `rng` before; adding a draw in one place never changes the numbers elsewhere. Forking twice with the same
 * label gives the same stream (use distinct labels, e.g. `fork(\`patch:${i}\`)`).
 */

export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n) (n >= 1). */
  int(n: number): number;
  /** Uniform float in [lo, hi). */
  range(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal N(0, 1) (Box–Muller; the second value of each pair is cached). */
  normal(): number;
  /** In-place Fisher–Yates shuffle; returns the same array. */
  shuffle<T>(array: T[]): T[];
  /** One element chosen uniformly (the array must be non-empty). */
  choice<T>(array: readonly T[]): T;
  /** An independent generator derived from this one's seed path and `label` (see module comment). */
  fork(label: string | number): Rng;
  /** The seed path this generator was created from, e.g. "42/patch:7" (for logs and error messages). */
  readonly seedPath: string;
}

/** 32-bit finaliser with full avalanche (each input bit flips each output bit with probability ~1/2). */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Four independent 32-bit words from a string: four hash lanes with different starting constants. */
function hashToState(text: string): [number, number, number, number] {
  let h0 = 0x9e3779b9, h1 = 0x243f6a88, h2 = 0xb7e15162, h3 = 0xdeadbeef;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h0 = Math.imul(h0 ^ c, 0x01000193);
    h1 = Math.imul(h1 ^ c, 0x5bd1e995);
    h2 = Math.imul(h2 ^ c, 0x85ebca6b);
    h3 = Math.imul(h3 ^ c, 0xc2b2ae35);
  }
  const len = text.length;
  return [mix32(h0 ^ len), mix32(h1 ^ h0), mix32(h2 ^ h1), mix32(h3 ^ h2)];
}

class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = NaN;

  constructor(readonly seedPath: string) {
    [this.a, this.b, this.c, this.d] = hashToState(seedPath);
    this.d = 1; // sfc32 uses the last word as its counter
    // Discard the first outputs so that similar seeds have diverged before use.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`rng.int: n must be >= 1, got ${n}`);
    return Math.floor(this.next() * Math.floor(n));
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    // 1 - next() is in (0, 1], so the log is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  choice<T>(array: readonly T[]): T {
    if (array.length === 0) throw new RangeError('rng.choice: empty array');
    return array[this.int(array.length)];
  }

  fork(label: string | number): Rng {
    return new Sfc32(`${this.seedPath}/${label}`);
  }
}

/** A generator for `seed`. Numbers and strings are both accepted; `createRng(42)` equals `createRng('42')`. */
export function createRng(seed: number | string): Rng {
  if (typeof seed === 'number' && !Number.isFinite(seed)) throw new RangeError(`createRng: seed must be finite, got ${seed}`);
  return new Sfc32(String(seed));
}
