import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INITIAL_VIEW } from '../../src-renderer/src/lib/map/initial-view';
import { BASEMAP_COLOURS, hexToRgb } from '../../src-renderer/src/lib/map/palette';
import { launchChromium, type Browser } from './support/chromium';
import { openPanel } from './support/panels';
import { decodePng, distinctColours, share, shareAround } from './support/pixels';
import { startServe, type ServeFixture } from './support/serve';
import { screenPixel, type ScreenView } from './support/web-mercator';

/**
 * The renderer shell in Debian's Chromium through serve mode: the offline basemap is drawn where it belongs, the
 * status bar shows the services' engine and connection, and the map answers the mouse and the keyboard.
 */

const LAND = hexToRgb(BASEMAP_COLOURS.land);
const OCEAN = hexToRgb(BASEMAP_COLOURS.ocean);

/** Places well inside a country / an open sea at the initial view (several pixels from any border or grid line). */
const ON_LAND: Array<[string, number, number]> = [
  ['central Germany', 10.5, 51.3],
  ['central France', 2.5, 46.6],
  ['central Spain', -3.5, 39.5],
  ['central Poland', 19.2, 52.3],
];
const AT_SEA: Array<[string, number, number]> = [
  ['Bay of Biscay', -6.5, 45.5],
  ['North Sea', 3.5, 56.5],
  ['western Mediterranean', 5.5, 38.5],
];

let serve: ServeFixture;
let browser: Browser;
let page: Page;
const requests: string[] = [];
const problems: string[] = [];

async function mapView(): Promise<ScreenView> {
  const box = await page.locator('[data-testid=map]').boundingBox();
  if (!box) throw new Error('map element has no box');
  return { center: INITIAL_VIEW.center, zoom: INITIAL_VIEW.zoom, box };
}

/** A screenshot once the map has stopped changing (two in a row equal): layer toggles render on a later frame. */
async function settledScreenshot(target: Page | ReturnType<Page['locator']> = page): Promise<Buffer> {
  let last = await target.screenshot();
  for (let i = 0; i < 20; i++) {
    const next = await target.screenshot();
    if (next.equals(last)) return next;
    last = next;
  }
  throw new Error('the map kept changing');
}

async function setLayer(id: string, visible: boolean): Promise<void> {
  const box = page.locator(`[data-layer=${id}] input[type=checkbox]`);
  await (visible ? box.check() : box.uncheck());
}

async function statusZoom(): Promise<number> {
  const text = await page.locator('.statusbar [title="Zoom level"] .num').innerText();
  return Number(text);
}

/** The status bar's "Lat 51.30000° N Lon 10.50000° E" as signed degrees. */
async function statusCursor(): Promise<{ lon: number; lat: number } | null> {
  const text = await page.locator('[data-testid=cursor-coordinates]').innerText();
  const m = /Lat\s+([\d.]+)° ([NS])\s+Lon\s+([\d.]+)° ([EW])/.exec(text.replace(/\s+/g, ' '));
  if (!m) return null;
  return { lat: Number(m[1]) * (m[2] === 'S' ? -1 : 1), lon: Number(m[3]) * (m[4] === 'W' ? -1 : 1) };
}

beforeAll(async () => {
  serve = await startServe();
  browser = await launchChromium({ width: 1280, height: 800 });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  const response = await page.goto(serve.url);
  expect(response?.status()).toBe(200);
  await page.waitForSelector('[data-testid=map][data-state=ready]', { timeout: 60_000 });
  // The workspace opens on the Data panel; these tests switch layers.
  await openPanel(page, 'Layers');
});

afterAll(async () => {
  await browser?.close();
  await serve?.close();
});

describe('renderer shell in Chromium (serve mode)', () => {
  it('draws the offline basemap: land where Europe is, sea around it, a non-blank canvas', async () => {
    // The overlays (names, grid) may cover any given pixel; the basemap alone is what is checked here.
    await setLayer('country-names', false);
    await setLayer('graticule', false);
    await page.mouse.move(0, 0);
    const view = await mapView();
    const img = decodePng(await settledScreenshot());
    for (const [name, lon, lat] of ON_LAND) {
      const [x, y] = screenPixel(view, lon, lat);
      expect(shareAround(img, x, y, LAND), `land colour at ${name}`).toBeGreaterThan(0.8);
    }
    for (const [name, lon, lat] of AT_SEA) {
      const [x, y] = screenPixel(view, lon, lat);
      expect(shareAround(img, x, y, OCEAN), `sea colour at ${name}`).toBeGreaterThan(0.8);
    }

    const mapOnly = decodePng(await settledScreenshot(page.locator('[data-testid=map]')));
    // Europe at zoom 4 is roughly half land, half sea; a blank or unstyled canvas has neither colour.
    expect(share(mapOnly, LAND)).toBeGreaterThan(0.15);
    expect(share(mapOnly, OCEAN)).toBeGreaterThan(0.15);
    // Land, sea, borders and coasts with their anti-aliased edges, the controls: many distinct colours.
    expect(distinctColours(mapOnly)).toBeGreaterThan(8);

    await setLayer('country-names', true);
    await setLayer('graticule', true);
    // With the overlays on, the names and the grid add their own colours (label text is darker than any line).
    const withOverlays = decodePng(await settledScreenshot(page.locator('[data-testid=map]')));
    expect(distinctColours(withOverlays)).toBeGreaterThan(distinctColours(mapOnly));
  });

  it('shows the engine that engine.info reports, with the skipped rungs in its tooltip', async () => {
    const res = await fetch(`${serve.origin}/api/engine.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serve.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    const engine = (await res.json()) as { backend: string; skipped: Array<{ backend: string; reason: string }> };

    const badge = page.locator('[data-testid=engine-backend]');
    await expect.poll(() => badge.innerText(), { timeout: 60_000 }).toBe(engine.backend);
    const tooltip = (await page.locator('[data-testid=engine-status]').getAttribute('title')) ?? '';
    expect(tooltip).toContain(engine.backend);
    for (const rung of engine.skipped) {
      expect(tooltip).toContain(rung.backend);
      expect(tooltip).toContain(rung.reason);
    }
  });

  it('shows the connection to the services as connected', async () => {
    const connection = page.locator('[data-testid=connection]');
    await expect.poll(() => connection.getAttribute('data-state'), { timeout: 30_000 }).toBe('connected');
    expect(await connection.innerText()).toContain('Connected');
  });

  it('reports the lon/lat under the cursor', async () => {
    const view = await mapView();
    const [lon, lat] = [10.5, 51.3];
    const [x, y] = screenPixel(view, lon, lat);
    await page.mouse.move(x, y);
    const cursor = await statusCursor();
    expect(cursor).not.toBeNull();
    // One pixel is about 0.09° of longitude at zoom 4.
    expect(Math.abs(cursor!.lon - lon)).toBeLessThan(0.2);
    expect(Math.abs(cursor!.lat - lat)).toBeLessThan(0.2);
    // 10.5° E lies in UTM zone 32 (6° E .. 12° E), about 105 km east of its central meridian at 9° E.
    const utm = (await page.locator('[data-testid=cursor-utm]').innerText()).replace(/\s+/g, ' ');
    const m = /UTM 32N ([\d ]+) E ([\d ]+) N/.exec(utm.replace(/\u2009/g, ' '));
    expect(m, utm).not.toBeNull();
    const easting = Number(m![1].replace(/ /g, ''));
    expect(Math.abs(easting - 604_700)).toBeLessThan(15_000);
  });

  it('pans by dragging: the place grabbed stays under the pointer', async () => {
    const view = await mapView();
    const [x0, y0] = screenPixel(view, 2.5, 46.6);
    await page.mouse.move(x0, y0);
    const before = await statusCursor();
    await page.mouse.down();
    // OpenLayers starts a drag once the pointer has moved more than 1 px and pans from that point on, so the first
    // steps are small, as a real hand makes them (the couple of pixels before the start are not panned).
    await page.mouse.move(x0 + 1, y0);
    await page.mouse.move(x0 + 2, y0);
    await page.mouse.move(x0 + 60, y0 + 30, { steps: 6 });
    await page.mouse.move(x0 + 140, y0 + 70, { steps: 6 });
    // Hold still before releasing, as a user placing the map does: a release in motion throws the map on
    // (kinetic panning), which is wanted, but not what this test measures.
    await page.waitForTimeout(250);
    await page.mouse.up();
    // After the drag the pointer sits 140 px east: without panning it would read ~12° further east.
    await page.mouse.move(x0 + 140, y0 + 70);
    const after = await statusCursor();
    expect(before && after).toBeTruthy();
    // Within about three pixels (0.09° of longitude each at zoom 4); the drag itself moved the pointer 12°.
    expect(Math.abs(after!.lon - before!.lon)).toBeLessThan(0.3);
    expect(Math.abs(after!.lat - before!.lat)).toBeLessThan(0.3);
    await page.locator('button[aria-label="Home view"]').click();
  });

  it('zooms with the + and - keys and with the mouse wheel', async () => {
    await expect.poll(statusZoom).toBeCloseTo(INITIAL_VIEW.zoom, 1);
    await page.locator('[data-testid=map]').click({ position: { x: 400, y: 300 } });
    await page.keyboard.press('+');
    await expect.poll(statusZoom).toBeCloseTo(INITIAL_VIEW.zoom + 1, 1);
    await page.keyboard.press('-');
    await expect.poll(statusZoom).toBeCloseTo(INITIAL_VIEW.zoom, 1);

    const box = (await mapView()).box;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await expect.poll(statusZoom).toBeGreaterThan(INITIAL_VIEW.zoom + 0.4);
    await page.locator('button[aria-label="Home view"]').click();
    await expect.poll(statusZoom).toBeCloseTo(INITIAL_VIEW.zoom, 1);
  });

  it('hides and shows a layer from the layer panel', async () => {
    const view = await mapView();
    const [x, y] = screenPixel(view, 10.5, 51.3);
    await setLayer('country-names', false);
    await setLayer('graticule', false);
    await setLayer('natural-earth', false);
    await page.mouse.move(5, 5);
    await expect
      .poll(async () => shareAround(decodePng(await page.screenshot()), x, y, LAND))
      .toBeLessThan(0.2);
    await setLayer('natural-earth', true);
    await expect
      .poll(async () => shareAround(decodePng(await page.screenshot()), x, y, LAND))
      .toBeGreaterThan(0.8);
  });

  it('loads nothing from outside the server (the online basemap is off) and breaks no CSP rule', () => {
    const foreign = requests.filter((u) => !u.startsWith(serve.origin) && !/^(data|blob):/.test(u));
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
  });
});
