import type { Page } from 'playwright-core';

/** Shows a side panel by its rail button ('Data', 'Layers', ...), leaving it open when it already is. */
export async function openPanel(page: Page, title: string): Promise<void> {
  const button = page.locator(`nav[aria-label=Panels] button[aria-label="${title}"]`);
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
  await page.locator(`aside[aria-label="${title}"]`).waitFor();
}
