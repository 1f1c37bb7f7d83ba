import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, PatchDetail } from '../../src-main/api/datasets';
import { decodePacked } from '../../src-main/api/packed-array';
import { WORLDCOVER_CLASSES } from '../../src-main/core/data/modalities';
import { hexToRgb, SPLIT_COLOURS } from '../../src-renderer/src/lib/patches/colour-by';
import { firstLabel, QUALITATIVE } from '../../src-renderer/src/lib/patches/labels';
import { callApi } from './support/api';
import { launchChromium, type Browser } from './support/chromium';
import { openPanel } from './support/panels';
import { decodePng, near, pixelAt, type Rgb, type Rgba } from './support/pixels';
import { startServe, type ServeFixture } from './support/serve';
import { screenPixel, type ScreenView } from './support/web-mercator';

/**
 * The map workspace with data, in Debian's Chromium through serve mode: the synthetic sample (24 patches, generated
 * by the services' sample job) is opened from the Data panel, its patches are drawn where they are, the inspector
 * shows a clicked patch's modalities, imagery lies at the patch's true place, the WorldCover layer has its legend,
 * and filters and selection change what is shown. What the page must show is computed here from what the services
 * answer over the HTTP API (index, patch detail, rendered images), not read back from the page.
 */

const SAMPLE_PATCHES = 24;
/** Real BigEarthNet v1 patches (../shared/data, read in place). */
const BIGEARTHNET = fileURLToPath(new URL('../../../shared/data/bigearthnet-v1', import.meta.url));
/** Screenshots for a person to look at: TF_E2E_SHOTS=/some/folder. */
const SHOTS = process.env.TF_E2E_SHOTS;

let serve: ServeFixture;
let browser: Browser;
let page: Page;
let summary: DatasetSummary;
const problems: string[] = [];
const requests: string[] = [];
/** The patch the inspector opened (set by the inspector test, used by the later ones). */
let inspected: PatchDetail | null = null;

async function shot(name: string): Promise<Rgba> {
  const png = await page.screenshot();
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, `${name}.png`), png);
  }
  return decodePng(png);
}

/** The view the map settled on (data-view: lon, lat, zoom, resolution at full precision) and the map's box. */
async function settledView(): Promise<ScreenView> {
  const box = await page.locator('[data-testid=map]').boundingBox();
  const text = await page.getAttribute('[data-testid=map]', 'data-view');
  if (!box || !text) throw new Error('the map has no settled view yet');
  const [lon, lat, zoom] = text.split(',').map(Number);
  return { center: [lon, lat], zoom, box };
}

/** Waits until the view stops changing (an animated fit ends) and the map has drawn it. */
async function waitForStillView(): Promise<ScreenView> {
  let last = '';
  for (let i = 0; i < 50; i++) {
    const text = (await page.getAttribute('[data-testid=map]', 'data-view')) ?? '';
    if (text && text === last) break;
    last = text;
    await page.waitForTimeout(250);
  }
  await page.waitForTimeout(300);
  return settledView();
}

function rgb(hex: string): Rgb {
  return hexToRgb(hex);
}

/** Whether a colour appears within r pixels of (x, y). */
function colourNear(img: Rgba, x: number, y: number, colour: Rgb, r = 1, tolerance = 4): boolean {
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (near(pixelAt(img, x + dx, y + dy), colour, tolerance)) return true;
  return false;
}

/** The RGB of pixel (x, y) of a base64 PNG from imagery.render. */
function pngPixels(base64: string): { width: number; height: number; at(x: number, y: number): Rgb } {
  const img = decode(Buffer.from(base64, 'base64'));
  const c = img.channels;
  return {
    width: img.width,
    height: img.height,
    at: (x, y) => {
      const i = (y * img.width + x) * c;
      return [img.data[i], img.data[i + 1], img.data[i + 2]] as Rgb;
    },
  };
}

beforeAll(async () => {
  serve = await startServe({ datasets: { samplePatches: SAMPLE_PATCHES } });
  browser = await launchChromium({ width: 1400, height: 860 });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(serve.url);
  await page.waitForSelector('[data-testid=map][data-state=ready]', { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await serve?.close();
});

describe('map workspace with the synthetic sample (Chromium, serve mode)', () => {
  it('generates and opens the sample with a progress bar, then zooms to its extent', async () => {
    const before = await page.getAttribute('[data-testid=map]', 'data-view');
    await page.locator('[data-testid=open-sample]').click();
    // The sample job takes seconds: its progress is shown meanwhile.
    const progress = page.locator('[data-testid=open-progress]');
    await progress.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await progress.innerText()).toMatch(/synthetic sample/i);
    await page.locator('[data-testid=dataset-card]').waitFor({ timeout: 300_000 });
    await shot('01-sample-opened');
    expect(await page.locator('[data-testid=dataset-patches]').innerText()).toBe(String(SAMPLE_PATCHES));
    expect(await progress.count()).toBe(0);

    const list = await callApi(serve, 'datasets.list', {});
    expect(list.open).toHaveLength(1);
    summary = list.open[0];
    expect(summary.sample).toBe(true);
    expect(summary.patches).toBe(SAMPLE_PATCHES);

    // Zoomed to the dataset: the view moved, and every placed patch is inside the map.
    const view = await waitForStillView();
    expect(await page.getAttribute('[data-testid=map]', 'data-view')).not.toBe(before);
    const [w, s, e, n] = summary.bbox_wgs84!;
    for (const [lon, lat] of [[w, s], [e, n]]) {
      const [x, y] = screenPixel(view, lon, lat);
      expect(x).toBeGreaterThan(view.box.x);
      expect(x).toBeLessThan(view.box.x + view.box.width);
      expect(y).toBeGreaterThan(view.box.y);
      expect(y).toBeLessThan(view.box.y + view.box.height);
    }
    await expect.poll(() => page.getAttribute('[data-testid=map]', 'data-patches-drawn')).toBe(String(SAMPLE_PATCHES));
  });

  it('draws every patch at its place in its split colour, and recolours by climate zone', async () => {
    const view = await waitForStillView();
    const index = await callApi(serve, 'datasets.index', { datasetId: summary.id });
    const lon = decodePacked(index.lon);
    const lat = decodePacked(index.lat);
    const split = decodePacked(index.split);
    const zone = decodePacked(index.climatezone);
    const px = Array.from(lon, (_, i) => screenPixel(view, lon[i], lat[i]));
    const splitName = (code: number) => (['train', 'val', 'test'] as const)[code] ?? 'none';

    /** Patches whose neighbours within 12 px all have the same colour: their centre pixel must show it. */
    const clear = (colour: (i: number) => string) =>
      px.map((_, i) => i).filter((i) => px.every((q, j) => Math.hypot(q[0] - px[i][0], q[1] - px[i][1]) > 12 || colour(j) === colour(i)));

    const bySplit = (i: number) => SPLIT_COLOURS[splitName(split[i])];
    const img = await shot('02-points-by-split');
    const checkable = clear(bySplit);
    expect(checkable.length).toBeGreaterThanOrEqual(4);
    for (const i of checkable) {
      expect(colourNear(img, px[i][0], px[i][1], rgb(bySplit(i))), `patch ${index.ids![i]} in ${splitName(split[i])} colour`).toBe(true);
    }
    // Where there is no patch there is no patch colour: 40 px away from every patch, only the basemap.
    const empty = [view.box.x + 30, view.box.y + view.box.height - 60];
    expect(px.every((q) => Math.hypot(q[0] - empty[0], q[1] - empty[1]) > 40)).toBe(true);
    for (const c of Object.values(SPLIT_COLOURS)) expect(colourNear(img, empty[0], empty[1], rgb(c), 2)).toBe(false);

    await page.locator('[data-colour-by=climatezone]').click();
    const legend = page.locator('[data-testid=colour-legend] li');
    const zoneColour = (i: number) => summary.classes.climatezone.find((z) => z.code === zone[i])?.color ?? '#9aa3ab';
    await expect.poll(() => legend.count()).toBe(new Set(zone).size);
    await page.waitForTimeout(300);
    const img2 = await shot('03-points-by-climate');
    for (const i of clear(zoneColour).slice(0, 6)) {
      expect(colourNear(img2, px[i][0], px[i][1], rgb(zoneColour(i))), `patch ${index.ids![i]} in zone ${zone[i]}'s colour`).toBe(true);
    }
    await page.locator('[data-colour-by=split]').click();
  });

  it('opens the inspector of a clicked patch with all its modalities, metadata and histograms', async () => {
    const view = await waitForStillView();
    const index = await callApi(serve, 'datasets.index', { datasetId: summary.id });
    const lon = decodePacked(index.lon);
    const lat = decodePacked(index.lat);
    const k = 0;
    const [x, y] = screenPixel(view, lon[k], lat[k]);
    await page.mouse.click(x, y);
    const inspector = page.locator('[data-testid=inspector]');
    await inspector.waitFor({ timeout: 30_000 });
    const id = await inspector.getAttribute('data-patch');
    // Patches of one tile lie next to each other (1.2 km, a fraction of a pixel here): the click finds one of them.
    const candidates = index.ids!.filter((_, i) => {
      const [px, py] = screenPixel(view, lon[i], lat[i]);
      return Math.hypot(px - x, py - y) < 6;
    });
    expect(candidates).toContain(id);

    for (const layer of ['s2-true', 's2-false', 'ndvi', 's1', 'dem-hillshade', 'worldcover']) {
      const img = inspector.locator(`figure[data-layer=${layer}][data-state=ready] img`);
      await img.waitFor({ timeout: 120_000 });
      // A decoded 120 × 120 patch image (the PNG the main process rendered), not a broken one.
      await expect.poll(() => img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0))).toBe(120);
    }
    inspected = await callApi(serve, 'datasets.patch', { datasetId: summary.id, patchId: id! });
    // The status bar names the patch under the cursor and gives the cursor in that patch's UTM zone (its tile's).
    const epsg = inspected.footprint!.crs_epsg;
    await expect.poll(() => page.locator('[data-testid=cursor-patch]').innerText()).toMatch(new RegExp(candidates.join('|')));
    const utm = (await page.locator('[data-testid=cursor-utm]').innerText()).replace(/\s+/g, ' ');
    expect(utm).toContain(`UTM ${epsg % 100}${epsg >= 32700 ? 'S' : 'N'} `);
    const meta = await inspector.locator('[data-testid=inspector-meta]').innerText();
    expect(meta).toContain(inspected.acquired.s2!);
    expect(meta).toContain(inspected.climatezone!.name);
    expect(meta).toContain(`EPSG:${inspected.footprint!.crs_epsg}`);
    const labels = await inspector.locator('[data-testid=inspector-labels]').innerText();
    expect(labels).toContain(inspected.labels.lulc!.name);
    const fractions = await inspector.locator('[data-testid=inspector-fractions] li').count();
    expect(fractions).toBe(inspected.worldcover_fractions!.filter((f) => f.fraction > 0).length);
    // One histogram per band: 12 Sentinel-2 bands, VH and VV, the DEM.
    await expect.poll(() => inspector.locator('[data-modality=s2] svg').count(), { timeout: 60_000 }).toBe(12);
    await expect.poll(() => inspector.locator('[data-modality=s1] svg').count(), { timeout: 60_000 }).toBe(2);
    await expect.poll(() => inspector.locator('[data-modality=dem] svg').count(), { timeout: 60_000 }).toBe(1);
    await shot('04-inspector');
  });

  it('zoomed in, shows Sentinel-2 imagery at the patch\'s true place and the WorldCover layer with its legend', async () => {
    expect(inspected).not.toBeNull();
    const patch = inspected!;
    await page.locator('[data-testid=inspector] button[aria-label="Zoom to the patch"]').click();
    await expect.poll(async () => (await settledView()).zoom, { timeout: 20_000 }).toBeGreaterThan(12);
    await openPanel(page, 'Layers');
    const s2Status = page.locator('[data-layer=imagery-s2-true] [data-testid=layer-status]');
    await expect.poll(() => s2Status.innerText(), { timeout: 120_000 }).toMatch(/·\s*[1-9]\d* patch(es)?\s*$/);
    const view = await waitForStillView();
    const [cx, cy] = screenPixel(view, patch.centre_wgs84![0], patch.centre_wgs84![1]);

    /** The image's pixels around its centre: the screen's centre pixel must be one of them (nearest resampling). */
    const centreColours = async (layer: 's2-true' | 'worldcover'): Promise<Rgb[]> => {
      const img = pngPixels((await callApi(serve, 'imagery.render', { datasetId: summary.id, patchId: patch.id, layer })).png_base64);
      const out: Rgb[] = [];
      for (let dy = -1; dy <= 0; dy++) for (let dx = -1; dx <= 0; dx++) out.push(img.at(img.width / 2 + dx, img.height / 2 + dy));
      return out;
    };
    const s2 = await centreColours('s2-true');
    const img = await shot('05-s2-imagery');
    const screenS2 = pixelAt(img, cx, cy);
    expect(s2.some((c) => near(c, screenS2, 6)), `screen ${screenS2} vs image ${JSON.stringify(s2)}`).toBe(true);

    const worldcover = page.locator('[data-layer=imagery-worldcover]');
    await worldcover.locator('input[type=checkbox]').check();
    const legend = worldcover.locator('[data-testid=layer-legend]');
    await legend.waitFor({ timeout: 30_000 });
    const names = await legend.locator('li').allInnerTexts();
    expect(names.map((t) => t.trim())).toEqual(WORLDCOVER_CLASSES.map((c) => c.name));
    // Each entry's swatch is ESA's official colour.
    const swatches = await legend.locator('.swatch').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    expect(swatches).toEqual(WORLDCOVER_CLASSES.map((c) => `rgb(${hexToRgb(c.color).join(', ')})`));

    await expect.poll(() => worldcover.locator('[data-testid=layer-status]').innerText(), { timeout: 120_000 }).toMatch(/·\s*[1-9]\d* patch(es)?\s*$/);
    await page.waitForTimeout(400);
    const wc = await centreColours('worldcover');
    const img2 = await shot('06-worldcover');
    const screenWc = pixelAt(img2, cx, cy);
    expect(wc.some((c) => near(c, screenWc, 3)), `screen ${screenWc} vs WorldCover ${JSON.stringify(wc)}`).toBe(true);
    expect(WORLDCOVER_CLASSES.some((c) => near(hexToRgb(c.color), screenWc, 3))).toBe(true);
    await worldcover.locator('input[type=checkbox]').uncheck();
  });

  it('filters by split: the count and the drawn patches change', async () => {
    await page.keyboard.press('Escape'); // closes the inspector
    await openPanel(page, 'Data');
    await page.locator('[data-testid=dataset-card] button[aria-label="Zoom to the dataset"]').click();
    await waitForStillView();
    const count = page.locator('[data-testid=shown-count]');
    expect(await count.getAttribute('data-shown')).toBe(String(SAMPLE_PATCHES));
    await page.locator('[data-split=train]').uncheck();
    const remaining = SAMPLE_PATCHES - summary.splits.train;
    await expect.poll(() => count.getAttribute('data-shown')).toBe(String(remaining));
    expect((await count.innerText()).replace(/\s+/g, ' ')).toContain(`${remaining} of ${SAMPLE_PATCHES} patches shown`);
    await expect.poll(() => page.getAttribute('[data-testid=map]', 'data-patches-drawn')).toBe(String(remaining));
    await shot('07-filtered');
    await page.locator('[data-split=train]').check();
    await expect.poll(() => count.getAttribute('data-shown')).toBe(String(SAMPLE_PATCHES));
  });

  it('selects by a Ctrl-drag box and Shift-click, and zooms to the selection', async () => {
    const view = await waitForStillView();
    const { box } = view;
    const selection = page.locator('[data-testid=selection]');
    await page.keyboard.down('Control');
    await page.mouse.move(box.x + 5, box.y + 5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x + box.width - 5, box.y + box.height - 5, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Control');
    await expect.poll(() => selection.getAttribute('data-selected')).toBe(String(SAMPLE_PATCHES));

    // Shift-click on a patch takes it (and its twin under the same pixel at most) out of the selection.
    const index = await callApi(serve, 'datasets.index', { datasetId: summary.id });
    const [x, y] = screenPixel(view, decodePacked(index.lon)[5], decodePacked(index.lat)[5]);
    await page.keyboard.down('Shift');
    await page.mouse.click(x, y);
    await page.keyboard.up('Shift');
    await expect.poll(() => selection.getAttribute('data-selected')).toBe(String(SAMPLE_PATCHES - 1));

    await page.locator('[data-testid=zoom-selection]').click();
    await waitForStillView();
    await page.keyboard.press('Escape'); // clears the selection (the inspector is closed)
    await expect.poll(() => selection.getAttribute('data-selected')).toBe('0');
  });

  it('says clearly when a folder has no readable patches', async () => {
    // A ben-ge table that lists patches, but no rasters and no locations for them.
    const dir = mkdtempSync(join(tmpdir(), 'tf-e2e-empty-'));
    try {
      writeFileSync(join(dir, `${dir.split('/').pop()}_meta.csv`), 'patch_id,timestamp_s2\nP_1,2017-06-01 10:00:00\nP_2,2017-06-01 10:00:00\n');
      await page.locator('.other summary').click();
      await page.locator('[data-testid=dataset-path]').fill(dir);
      await page.locator('[data-testid=open-path]').click();
      const error = page.locator('[data-testid=open-error]');
      await error.waitFor({ timeout: 30_000 });
      const text = await error.innerText();
      expect(text).toContain(dir);
      expect(text).toMatch(/no readable patches/i);
      await shot('08-empty-folder');
      // The open dataset stays on the map.
      expect(await page.locator('[data-testid=dataset-patches]').innerText()).toBe(String(SAMPLE_PATCHES));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens the real BigEarthNet v1 patches: drawn at their places in their first label\'s colour, inspected with their labels', async () => {
    await page.locator('[data-testid=dataset-path]').fill(BIGEARTHNET);
    await page.locator('[data-testid=open-path]').click();
    await expect.poll(() => page.locator('[data-testid=dataset-card] .name').innerText(), { timeout: 120_000 }).toBe('bigearthnet-v1');
    const ds = (await callApi(serve, 'datasets.list', {})).open.find((d) => d.name === 'bigearthnet-v1')!;
    expect(ds.layout).toBe('bigearthnet-v1');
    await expect.poll(() => page.getAttribute('[data-testid=map]', 'data-patches-drawn')).toBe(String(ds.patches));
    await page.locator('[data-colour-by=label]').click();
    const view = await waitForStillView();
    const index = await callApi(serve, 'datasets.index', { datasetId: ds.id });
    const lon = decodePacked(index.lon);
    const lat = decodePacked(index.lat);
    const bits = decodePacked(index.ben19!);
    const px = Array.from(lon, (_, i) => screenPixel(view, lon[i], lat[i]));
    const colour = (i: number) => (bits[i] === 0 ? '#9aa3ab' : QUALITATIVE[firstLabel(bits[i]) % QUALITATIVE.length]);
    const clear = px.map((_, i) => i).filter((i) => px.every((q, j) => Math.hypot(q[0] - px[i][0], q[1] - px[i][1]) > 12 || colour(j) === colour(i)));
    const img = await shot('09-bigearthnet');
    expect(clear.length).toBeGreaterThanOrEqual(3);
    for (const i of clear) expect(colourNear(img, px[i][0], px[i][1], rgb(colour(i))), `${index.ids![i]}`).toBe(true);

    // A patch with Sentinel-2 (the Serbian one, alone on the map): its true colour image and its 19-class labels.
    const k = index.ids!.indexOf('S2B_MSIL2A_20170914T093029_32_39');
    expect(k).toBeGreaterThanOrEqual(0);
    await page.mouse.click(px[k][0], px[k][1]);
    const inspector = page.locator('[data-testid=inspector]');
    await expect.poll(() => inspector.getAttribute('data-patch'), { timeout: 30_000 }).toBe(index.ids![k]);
    const s2 = inspector.locator('figure[data-layer=s2-true][data-state=ready] img');
    await s2.waitFor({ timeout: 120_000 });
    await expect.poll(() => s2.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0))).toBe(120);
    expect(await inspector.locator('figure[data-layer=worldcover]').getAttribute('data-state')).toBe('missing');
    const detail = await callApi(serve, 'datasets.patch', { datasetId: ds.id, patchId: index.ids![k] });
    const labels = await inspector.locator('[data-testid=inspector-labels]').innerText();
    expect(detail.labels.ben19!.length).toBeGreaterThan(0);
    for (const name of detail.labels.ben19!) expect(labels).toContain(name);
    await shot('10-bigearthnet-inspector');
    await page.keyboard.press('Escape');
  });

  it('loads nothing from outside the server and logs no errors', () => {
    const foreign = requests.filter((u) => !u.startsWith(serve.origin) && !/^(data|blob):/.test(u));
    expect(foreign).toEqual([]);
    // The folder without readable patches is refused with HTTP 400, which Chromium logs; nothing else may be.
    expect(problems.filter((p) => !/status of 400 \(Bad Request\)/.test(p))).toEqual([]);
  });
});
