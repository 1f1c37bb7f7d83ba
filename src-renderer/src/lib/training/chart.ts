/**
 * The little an SVG line chart needs: scales with "nice" ticks, an extent that ignores missing values and path
 * strings with gaps. Curves here have at most a few hundred points, so no chart library is needed.
 */

export interface Scale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  ticks(count?: number): number[];
}

/** Step of about `count` ticks over [min, max]: 1, 2 or 5 times a power of ten. */
export function tickStep(min: number, max: number, count: number): number {
  const span = Math.abs(max - min);
  if (!(span > 0) || !Number.isFinite(span)) return 0;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m >= 7.5 ? 10 : m >= 3.5 ? 5 : m >= 1.5 ? 2 : 1) * power;
}

/** Ticks at multiples of the nice step inside [min, max] (rounded to the step's decimals: no 0.30000000000000004). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  const lo = Math.min(min, max);
  const hi = Math.max(min, max);
  const step = tickStep(lo, hi, count);
  if (step === 0) return Number.isFinite(lo) ? [lo] : [];
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toFixed(decimals)));
  return out;
}

/** Widens [min, max] to nice step boundaries, so the curve does not touch the frame. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  const step = tickStep(min, max, count);
  if (step === 0) return [min, max];
  return [Math.floor(min / step + 1e-9) * step, Math.ceil(max / step - 1e-9) * step];
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = ((v: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + (v - d0) * k)) as Scale;
  return Object.assign(f, { domain, range, ticks: (count = 5) => niceTicks(d0, d1, count) });
}

/** Log10 scale (label fractions 1% … 100%); ticks at 1, 2, 5 × powers of ten inside the domain. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  if (!(d0 > 0 && d1 > 0)) throw new RangeError('a log scale needs a positive domain');
  const l0 = Math.log10(d0);
  const l1 = Math.log10(d1);
  const [r0, r1] = range;
  const f = ((v: number) => (l1 === l0 ? (r0 + r1) / 2 : r0 + ((Math.log10(v) - l0) * (r1 - r0)) / (l1 - l0))) as Scale;
  const ticks = () => {
    const out: number[] = [];
    for (let p = Math.floor(l0); p <= Math.ceil(l1); p++) {
      for (const m of [1, 2, 5]) {
        const v = Number((m * 10 ** p).toPrecision(6));
        if (v >= d0 * (1 - 1e-9) && v <= d1 * (1 + 1e-9)) out.push(v);
      }
    }
    return out;
  };
  return Object.assign(f, { domain, range, ticks });
}

/** [min, max] of the finite values, or null when there is none. A single value gets a small span around it. */
export function extent(values: Iterable<number | null | undefined>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return null;
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - pad, hi + pad];
  }
  return [lo, hi];
}

export interface XY {
  x: number;
  y: number | null;
}

/** An SVG path through the points in x order; a missing y breaks the line (a diverged epoch is not bridged). */
export function linePath(points: readonly XY[], sx: (v: number) => number, sy: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y) || !Number.isFinite(p.x)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${round(sx(p.x))},${round(sy(p.y))}`;
    pen = true;
  }
  return d;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** A tick label that shows just enough digits for the step between ticks. */
export function formatTick(v: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(v) || 1;
  // One notation for a whole axis: exponents only when the ticks are huge or their steps tiny.
  if (Math.abs(v) >= 1e5 || step < 1e-4) return v === 0 ? '0' : v.toExponential(Math.max(0, Math.round(Math.log10(Math.abs(v) / step))));
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}

/**
 * Sideways pixel offsets that keep series apart where they share x values (like the CLI's SVG plot): series k of n
 * moves by (k - (n - 1) / 2) · step, so the offsets are centred on the true x and neighbours are `step` apart. Two
 * arms with the same score at a fraction then show two points (and two error bars) side by side instead of one.
 */
export function dodgeOffsets(count: number, step: number): number[] {
  if (!(count > 0) || !Number.isFinite(step)) return [];
  return Array.from({ length: count }, (_, k) => (k - (count - 1) / 2) * step);
}
