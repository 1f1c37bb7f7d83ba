import { encode } from 'fast-png';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPanel } from './support/panels';
import { launchChromium, type Browser } from './support/chromium';
import { decodePng, pixelAt, near, type Rgb } from './support/pixels';
import { startServe, type ServeFixture } from './support/serve';

/**
 * The online OpenStreetMap layer: off by default, switched on from the layer panel, which stores the setting the
 * transports' security policy reads and reloads the page under the new policy. No internet is used: the tile
 * server is answered inside the browser with a tile of one striking colour.
 */

const TILE_COLOUR: Rgb = [230, 0, 200];
const TILE_PNG = Buffer.from(
  encode({
    width: 256,
    height: 256,
    channels: 3,
    data: new Uint8Array(256 * 256 * 3).map((_, i) => TILE_COLOUR[i % 3]),
  }),
);

let serve: ServeFixture;
let browser: Browser;
let page: Page;
const tileRequests: string[] = [];
const problems: string[] = [];

async function mapCentreColour(): Promise<Rgb> {
  const box = await page.locator('[data-testid=map]').boundingBox();
  if (!box) throw new Error('map element has no box');
  const img = decodePng(await page.screenshot());
  return pixelAt(img, box.x + box.width / 2 + 37, box.y + box.height / 2 + 23);
}

async function statusZoom(): Promise<number> {
  return Number(await page.locator('.statusbar [title="Zoom level"] .num').innerText());
}

beforeAll(async () => {
  serve = await startServe();
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.route('https://tile.openstreetmap.org/**', (route) => {
    tileRequests.push(route.request().url());
    return route.fulfill({
      status: 200,
      contentType: 'image/png',
      headers: { 'access-control-allow-origin': '*' },
      body: TILE_PNG,
    });
  });
  await page.goto(serve.url);
  await page.waitForSelector('[data-testid=map][data-state=ready]', { timeout: 60_000 });
  await openPanel(page, 'Layers');
});

afterAll(async () => {
  await browser?.close();
  await serve?.close();
});

describe('online basemap (OpenStreetMap)', () => {
  it('is off by default: no tile is requested', async () => {
    expect(serve.services.settings.get().basemapOnline).toBe(false);
    expect(await page.locator('[data-layer=osm] input[type=checkbox]').isChecked()).toBe(false);
    expect(tileRequests).toEqual([]);
    expect(near(await mapCentreColour(), TILE_COLOUR, 10)).toBe(false);
  });

  it('switched on: stores the setting, reloads under the new policy at the same view, and draws tiles', async () => {
    await page.keyboard.press('+');
    await expect.poll(statusZoom).toBeCloseTo(5, 1);
    // The view must be in the address before the reload, or the reload would open the home view.
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#map=5\.00\//);

    // click(), not check(): the box stays unchecked until the reload (this page's policy would block the tiles).
    // Both awaited together, so a failed click cannot leave the wait for 'load' rejecting later, unobserved.
    await Promise.all([page.waitForEvent('load'), page.locator('[data-layer=osm] input[type=checkbox]').click()]);
    await page.waitForSelector('[data-testid=map][data-state=ready]', { timeout: 60_000 });
    await openPanel(page, 'Layers');

    expect(serve.services.settings.get().basemapOnline).toBe(true);
    expect(await page.locator('[data-layer=osm] input[type=checkbox]').isChecked()).toBe(true);
    expect(await statusZoom()).toBeCloseTo(5, 1);
    await expect.poll(() => tileRequests.length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(tileRequests.every((u) => /^https:\/\/tile\.openstreetmap\.org\/5\/\d+\/\d+\.png$/.test(u))).toBe(true);
    await expect.poll(async () => near(await mapCentreColour(), TILE_COLOUR, 10), { timeout: 30_000 }).toBe(true);
  });

  it('switched off: stores the setting and shows the offline basemap again', async () => {
    await page.locator('[data-layer=osm] input[type=checkbox]').uncheck();
    await expect.poll(() => serve.services.settings.get().basemapOnline, { timeout: 10_000 }).toBe(false);
    await expect.poll(async () => near(await mapCentreColour(), TILE_COLOUR, 10)).toBe(false);
  });

  it('never had a tile blocked by the security policy, nor any other error', () => {
    expect(problems).toEqual([]);
  });
});
