/**
 * A small line plot with error bars as standalone SVG (no dependency, opens in any browser or GIS report): used for
 * the label-efficiency curve (metric vs. label fraction, one line per arm, mean ± std over seeds).
 */

export interface Series {
  name: string;
  color: string;
  /** Points in x order: mean and standard deviation of y at x. */
  points: { x: number; mean: number; std: number }[];
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Log scale on x (label fractions span decades). */
  logX?: boolean;
  width?: number;
  height?: number;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function linePlotSvg(series: Series[], opts: PlotOptions): string {
  const W = opts.width ?? 640;
  const H = opts.height ?? 420;
  const m = { left: 64, right: 150, top: 40, bottom: 56 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.flatMap((p) => [p.mean - p.std, p.mean + p.std])).filter(Number.isFinite);
  const tx = (x: number): number => (opts.logX ? Math.log10(x) : x);
  const xMin = Math.min(...xs.map(tx));
  const xMax = Math.max(...xs.map(tx));
  const xPad = (xMax - xMin || 1) * 0.05;
  let yMin = ys.length ? Math.min(...ys) : 0;
  let yMax = ys.length ? Math.max(...ys) : 1;
  if (yMin >= 0 && yMax <= 1) {
    yMin = Math.max(0, yMin - 0.05);
    yMax = Math.min(1, yMax + 0.05);
  }
  if (yMax - yMin < 1e-9) {
    yMin -= 0.5;
    yMax += 0.5;
  }
  const pxBase = (x: number): number => m.left + ((tx(x) - (xMin - xPad)) / (xMax - xMin + 2 * xPad)) * (W - m.left - m.right);
  const py = (y: number): number => H - m.bottom - ((y - yMin) / (yMax - yMin)) * (H - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2 - m.right / 2 + m.left / 2}" y="22" text-anchor="middle" font-size="15">${esc(opts.title)}</text>`);
  // Axes and ticks.
  const x0 = m.left;
  const y0 = H - m.bottom;
  parts.push(`<line x1="${x0}" y1="${y0}" x2="${W - m.right}" y2="${y0}" stroke="black"/>`);
  parts.push(`<line x1="${x0}" y1="${m.top}" x2="${x0}" y2="${y0}" stroke="black"/>`);
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    parts.push(`<line x1="${pxBase(x)}" y1="${y0}" x2="${pxBase(x)}" y2="${y0 + 5}" stroke="black"/>`);
    parts.push(`<text x="${pxBase(x)}" y="${y0 + 19}" text-anchor="middle">${esc(String(x))}</text>`);
  }
  for (const y of niceTicks(yMin, yMax, 5)) {
    parts.push(`<line x1="${x0 - 5}" y1="${py(y)}" x2="${W - m.right}" y2="${py(y)}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 - 8}" y="${py(y) + 4}" text-anchor="end">${esc(String(y))}</text>`);
  }
  parts.push(`<text x="${(x0 + W - m.right) / 2}" y="${H - 14}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${(m.top + y0) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  // Series: line, error bars, points, legend.
  series.forEach((s, k) => {
    // Series are dodged sideways by a few pixels so error bars at the same x do not hide each other.
    const dodge = (k - (series.length - 1) / 2) * 8;
    const px = (x: number): number => pxBase(x) + dodge;
    const pts = [...s.points].sort((a, b) => a.x - b.x).filter((p) => Number.isFinite(p.mean));
    if (pts.length > 1) {
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.mean).toFixed(1)}`).join(' ')}"/>`);
    }
    for (const p of pts) {
      if (p.std > 0) {
        const x = px(p.x);
        parts.push(`<line x1="${x}" y1="${py(p.mean - p.std)}" x2="${x}" y2="${py(p.mean + p.std)}" stroke="${s.color}"/>`);
        parts.push(`<line x1="${x - 4}" y1="${py(p.mean - p.std)}" x2="${x + 4}" y2="${py(p.mean - p.std)}" stroke="${s.color}"/>`);
        parts.push(`<line x1="${x - 4}" y1="${py(p.mean + p.std)}" x2="${x + 4}" y2="${py(p.mean + p.std)}" stroke="${s.color}"/>`);
      }
      parts.push(`<circle cx="${px(p.x)}" cy="${py(p.mean)}" r="4" fill="${s.color}"><title>${esc(`${s.name} @ ${p.x}: ${p.mean.toFixed(4)} ± ${p.std.toFixed(4)}`)}</title></circle>`);
    }
    const ly = m.top + 10 + k * 20;
    parts.push(`<line x1="${W - m.right + 14}" y1="${ly}" x2="${W - m.right + 34}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${W - m.right + 40}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
