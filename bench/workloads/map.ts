/**
 * The `map` workload: the map workspace in Debian's Chromium (headless, software WebGL) through serve mode, with a
 * 100,000-patch dataset (a ben-ge meta CSV with lon/lat only, scattered over Europe, seeded). It measures
 *
 * - time to first render: from clicking "Open" on the Data panel to the first frame with every patch drawn, cold
 *   (the services index the folder) and warm (a reloaded page opens the already indexed folder: index transfer,
 *   decoding, projection, hit-test grid, WebGL upload, first frame);
 * - frame times while panning: requestAnimationFrame timestamps in the page during mouse drags, zoomed out with all
 *   100,000 points in view, and zoomed in (zoom 12) with footprints.
 *
 * `terrafuse bench --workload map [--steps N] [--json]` (N = drags per scenario, at least 4).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createRng } from '../../src-main/core/data/rng';
import setupRenderer from '../../test/e2e/global-setup';
import { launchChromium } from '../../test/e2e/support/chromium';
import { startServe } from '../../test/e2e/support/serve';
import type { MeasuredWorkloadSpec } from '../workload';

export const MAP_PATCHES = 100_000;

/** A ben-ge meta CSV with ids and centres only: enough for the map at this scale (no rasters). */
export function writeIndexFolder(root: string, n: number): string {
  const folder = join(root, 'map-bench');
  mkdirSync(folder);
  const rng = createRng('bench/map');
  const rows = ['patch_id,lon,lat'];
  for (let i = 0; i < n; i++) {
    const id = `S2A_MSIL2A_2017${String(1 + (i % 12)).padStart(2, '0')}15T101031_${String(i % 91).padStart(2, '0')}_${String(i).padStart(6, '0')}`;
    rows.push(`${id},${rng.range(-10, 30).toFixed(6)},${rng.range(36, 70).toFixed(6)}`);
  }
  writeFileSync(join(folder, 'map-bench_meta.csv'), `${rows.join('\n')}\n`);
  return folder;
}

interface BenchWindow {
  __tfBench?: { t0: number; drawnAt: number; frames: number[]; recording: boolean };
}

/** Clicks "Open" for `folder` and returns the milliseconds until every patch is drawn (measured in the page). */
export async function timeToFirstRender(page: Page, folder: string, patches: number): Promise<number> {
  await page.locator('[data-testid=dataset-path]').fill(folder);
  await page.evaluate((n) => {
    const w = window as unknown as BenchWindow;
    const map = document.querySelector('[data-testid=map]');
    const button = document.querySelector<HTMLButtonElement>('[data-testid=open-path]');
    if (!map || !button) throw new Error('the map or the Open button is missing');
    const state = { t0: 0, drawnAt: 0, frames: [] as number[], recording: false };
    w.__tfBench = state;
    new MutationObserver(() => {
      if (!state.drawnAt && map.getAttribute('data-patches-drawn') === String(n)) state.drawnAt = performance.now();
    }).observe(map, { attributes: true, attributeFilter: ['data-patches-drawn'] });
    state.t0 = performance.now();
    button.click();
  }, patches);
  await page.waitForFunction(() => ((window as unknown as BenchWindow).__tfBench?.drawnAt ?? 0) > 0, undefined, { timeout: 600_000, polling: 50 });
  return page.evaluate(() => {
    const b = (window as unknown as BenchWindow).__tfBench!;
    return b.drawnAt - b.t0;
  });
}

/** Waits until the settled view stops changing (an animated fit or zoom ended). */
export async function stillView(page: Page): Promise<void> {
  let last = '';
  for (let i = 0; i < 60; i++) {
    const text = (await page.getAttribute('[data-testid=map]', 'data-view')) ?? '';
    if (text && text === last) return;
    last = text;
    await page.waitForTimeout(250);
  }
}

/** requestAnimationFrame intervals in the page while the mouse drags the map `drags` times. */
export async function panFrames(page: Page, drags: number): Promise<number[]> {
  const box = await page.locator('[data-testid=map]').boundingBox();
  if (!box) throw new Error('the map has no box');
  // Drag from the map's left half so the inspector (right edge) is never under the pointer.
  const cx = box.x + box.width * 0.4;
  const cy = box.y + box.height * 0.5;
  // A string, not a function: tsx would wrap a named inner function in a helper the page does not have.
  await page.evaluate(`(() => {
    const b = window.__tfBench;
    b.frames = [];
    b.recording = true;
    function loop(t) {
      if (!b.recording) return;
      b.frames.push(t);
      requestAnimationFrame(loop);
    }
    requestAnimationFrame(loop);
  })()`);
  const directions = [
    [1, 0.4],
    [-0.6, 1],
    [-1, -0.5],
    [0.5, -1],
  ];
  for (let k = 0; k < drags; k++) {
    const [dx, dy] = directions[k % directions.length];
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let s = 1; s <= 30; s++) await page.mouse.move(cx + dx * 8 * s, cy + dy * 8 * s);
    await page.mouse.up();
  }
  const stamps = await page.evaluate(() => {
    const b = (window as unknown as BenchWindow).__tfBench!;
    b.recording = false;
    return b.frames;
  });
  const intervals: number[] = [];
  for (let i = 1; i < stamps.length; i++) intervals.push(stamps[i] - stamps[i - 1]);
  return intervals;
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

const round1 = (v: number) => Math.round(v * 10) / 10;

function frameStats(prefix: string, intervals: number[]): Record<string, number> {
  return {
    [`${prefix}_frames`]: intervals.length,
    [`${prefix}_median_frame_ms`]: round1(quantile(intervals, 0.5)),
    [`${prefix}_p95_frame_ms`]: round1(quantile(intervals, 0.95)),
    [`${prefix}_frames_over_50ms`]: intervals.filter((v) => v > 50).length,
  };
}

export async function measureMap(options: { drags: number; patches?: number }): Promise<Record<string, number | string>> {
  const patches = options.patches ?? MAP_PATCHES;
  const drags = Math.max(4, options.drags);
  const root = mkdtempSync(join(tmpdir(), 'tf-bench-map-'));
  await setupRenderer();
  const serve = await startServe();
  const browser = await launchChromium({ width: 1400, height: 860 });
  try {
    const folder = writeIndexFolder(root, patches);
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    let indexBytes = 0;
    page.on('response', (r) => {
      if (r.url().endsWith('/api/datasets.index')) void r.body().then((b) => (indexBytes = b.length), () => undefined);
    });
    const open = async () => {
      await page.waitForSelector('[data-testid=map][data-state=ready]', { timeout: 120_000 });
      return timeToFirstRender(page, folder, patches);
    };
    await page.goto(serve.url);
    const cold = await open();
    // The services keep the folder indexed: a reloaded page measures the renderer's part.
    await page.reload();
    const warm = await open();
    await stillView(page);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(500);
    const zoomedOut = await panFrames(page, drags);

    const box = (await page.locator('[data-testid=map]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    const zoomNow = Number((await page.getAttribute('[data-testid=map]', 'data-view'))!.split(',')[2]);
    for (let z = Math.floor(zoomNow); z < 12; z++) {
      await page.keyboard.press('=');
      await page.waitForTimeout(260);
    }
    await stillView(page);
    await page.waitForTimeout(1500); // footprints of the view arrive
    const zoomedIn = await panFrames(page, drags);

    return {
      workload: 'map',
      patches,
      browser: 'chromium headless (software WebGL)',
      time_to_first_render_cold_ms: Math.round(cold),
      time_to_first_render_warm_ms: Math.round(warm),
      index_mb: round1(indexBytes / 1e6),
      ...frameStats('pan_all_points', zoomedOut),
      ...frameStats('pan_zoom12_footprints', zoomedIn),
      drags,
    };
  } finally {
    await browser.close();
    await serve.close();
    rmSync(root, { recursive: true, force: true });
  }
}

export const MAP_WORKLOAD: MeasuredWorkloadSpec = {
  name: 'map',
  description: `Map workspace in headless Chromium with ${MAP_PATCHES.toLocaleString('en')} patches: time to first render (cold/warm) and requestAnimationFrame frame times while panning (--steps = drags per scenario)`,
  measure: ({ steps }) => measureMap({ drags: steps }),
};
