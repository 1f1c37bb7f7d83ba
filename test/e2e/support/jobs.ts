import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

/**
 * Jobs and charts in the training dock, as a test sees them: launch a job with a button and learn its id, wait for
 * the job detail's state, read back the values a chart drew from its SVG geometry (axis ticks invert the scales),
 * and take named screenshots for a person to look at.
 */

export const jobDetail = (page: Page): Locator => page.locator('[data-testid=job-detail]');

/** Waits until the dock's job detail shows `state` (queued, running, done, failed, cancelled). */
export async function waitDetailState(page: Page, state: string, timeout: number): Promise<void> {
  await page.waitForFunction((s) => document.querySelector('[data-testid=job-detail]')?.getAttribute('data-state') === s, state, { timeout });
}

/** Clicks a launch button and waits until the dock shows the new job; returns its id. */
export async function launchJob(page: Page, button: string): Promise<string> {
  // The job shown before the click (if any), read without waiting: the dock may be closed.
  const before = await page.evaluate(() => document.querySelector('[data-testid=job-detail]')?.getAttribute('data-job-id') ?? '');
  await page.click(button);
  await page.waitForFunction((b) => {
    const id = document.querySelector('[data-testid=job-detail]')?.getAttribute('data-job-id');
    return !!id && id !== b;
  }, before);
  return (await jobDetail(page).getAttribute('data-job-id')) ?? '';
}

/** A point of a chart series in data units, recovered from where it was drawn. */
export interface DrawnPoint {
  x: number;
  y: number;
}

/** Drawn points per series id, plus how far apart two values may be and still land on the same 0.1 px. */
export interface DrawnChart {
  series: Record<string, DrawnPoint[]>;
  /** One tenth of a pixel (the path's rounding) in y data units. */
  yResolution: number;
}

/**
 * Reads what a LineChart inside `root` drew: each `path[data-series]`'s points ("M x,y L x,y …") mapped back to
 * data units through the axis ticks (y ticks are right-aligned at the left axis, x ticks centred under it; a path's
 * data-dodge pixels, a sideways offset that keeps series apart, taken back off), so a test compares what a user sees
 * with what the services said. `parseX` turns an x tick label into a number
 * (e.g. "20%" → 0.2); `xLog` inverts a log10 x axis.
 */
export async function readChart(root: Locator, options: { xLog?: boolean; parseX?: (label: string) => number } = {}): Promise<DrawnChart> {
  const raw = await root.locator('svg').first().evaluate((svg) => {
    const ticks = (anchor: string) =>
      [...svg.querySelectorAll('text.tick')]
        .filter((t) => t.getAttribute('text-anchor') === anchor)
        .map((t) => ({ at: Number(anchor === 'end' ? t.getAttribute('y') : t.getAttribute('x')), label: t.textContent ?? '' }));
    const paths = [...svg.querySelectorAll('path[data-series]')].map((p) => ({
      id: p.getAttribute('data-series') ?? '',
      d: p.getAttribute('d') ?? '',
      dodge: Number(p.getAttribute('data-dodge') ?? 0),
    }));
    return { yTicks: ticks('end'), xTicks: ticks('middle'), paths };
  });
  const parseX = options.parseX ?? Number;
  const yTicks = raw.yTicks.map((t) => ({ at: t.at, value: Number(t.label) }));
  const xTicks = raw.xTicks.map((t) => ({ at: t.at, value: parseX(t.label) }));
  if (yTicks.length < 2 || xTicks.length < 2) throw new Error(`a chart needs two ticks per axis to be read back (y ${yTicks.length}, x ${xTicks.length})`);
  const [y0, y1] = [yTicks[0], yTicks.at(-1) ?? yTicks[1]];
  const [x0, x1] = [xTicks[0], xTicks.at(-1) ?? xTicks[1]];
  const yPerPx = (y1.value - y0.value) / (y1.at - y0.at);
  const toY = (py: number) => y0.value + (py - y0.at) * yPerPx;
  const f = options.xLog ? Math.log10 : (v: number) => v;
  const fInv = options.xLog ? (v: number) => 10 ** v : (v: number) => v;
  const toX = (px: number) => fInv(f(x0.value) + ((px - x0.at) * (f(x1.value) - f(x0.value))) / (x1.at - x0.at));
  const series: Record<string, DrawnPoint[]> = {};
  for (const p of raw.paths) {
    // A series dodged sideways (data-dodge, pixels) stands for the x it was moved from.
    series[p.id] = [...p.d.matchAll(/[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g)].map((m) => ({ x: toX(Number(m[1]) - p.dodge), y: toY(Number(m[2])) }));
  }
  return { series, yResolution: Math.abs(yPerPx) * 0.1 };
}

/** Saves `page`'s screenshot as `<dir>/<prefix>-<name>.png` when a folder is given (TF_E2E_SHOTS); else nothing. */
export function screenshots(page: Page, dir: string | undefined, prefix: string): (name: string) => Promise<void> {
  return async (name) => {
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${prefix}-${name}.png`), await page.screenshot());
  };
}
