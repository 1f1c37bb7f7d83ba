import type { Page } from 'playwright-core';
import type { ScreenView } from './web-mercator';

/** The view the map settled on (data-view: lon, lat, zoom, resolution at full precision) and the map's box. */
export async function settledView(page: Page): Promise<ScreenView> {
  const box = await page.locator('[data-testid=map]').boundingBox();
  const text = await page.getAttribute('[data-testid=map]', 'data-view');
  if (!box || !text) throw new Error('the map has no settled view yet');
  const [lon, lat, zoom] = text.split(',').map(Number);
  return { center: [lon, lat], zoom, box };
}

/** Waits until the view stops changing (an animated fit ends) and the map has drawn it. */
export async function waitForStillView(page: Page): Promise<ScreenView> {
  let last = '';
  for (let i = 0; i < 50; i++) {
    const text = (await page.getAttribute('[data-testid=map]', 'data-view')) ?? '';
    if (text && text === last) break;
    last = text;
    await page.waitForTimeout(250);
  }
  await page.waitForTimeout(300);
  return settledView(page);
}
