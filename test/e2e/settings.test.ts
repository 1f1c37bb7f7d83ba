import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encode } from 'fast-png';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json';
import { callApi } from './support/api';
import { launchChromium, type Browser } from './support/chromium';
import { openPanel } from './support/panels';
import { startServe, type ServeFixture } from './support/serve';

/**
 * The Settings panel in Chromium through serve mode, with a throw-away config folder: the workspace folder and the
 * engine override are changed in the page, survive a reload, and are in settings.json on disk; a refused path is
 * explained inline; another tab follows a change; recent datasets are removed; the online basemap switch is the
 * map's own; About tells version, transport, platform and engine.
 */

let serve: ServeFixture;
let browser: Browser;
let page: Page;
let scratch: string;
const problems: string[] = [];
/** Real BigEarthNet v1 patches, read in place (never copied). */
// The services report real paths (symlinks resolved), so compare with the real path.
const REAL_DATASET = realpathSync(resolve('../shared/data/bigearthnet-v1'));

/** One grey 256² tile for the online basemap (no internet: the tile server is answered inside the browser). */
const TILE = Buffer.from(encode({ width: 256, height: 256, channels: 3, data: new Uint8Array(256 * 256 * 3).fill(200) }));

async function showSettings(p: Page): Promise<void> {
  await p.waitForSelector('[data-testid=map][data-state=ready]', { timeout: 60_000 });
  await openPanel(p, 'Settings');
  // Loaded once the field shows the saved folder (or the placeholder) and the controls are enabled.
  await p.locator('[data-testid=workspace-input]:enabled').waitFor();
}

function settingsOnDisk(): Record<string, unknown> {
  return JSON.parse(readFileSync(serve.services.settings.file, 'utf8')) as Record<string, unknown>;
}

function watch(p: Page): void {
  // A refused update answers HTTP 400, which Chromium logs as a failed resource: that one is expected here.
  p.on('console', (m) => {
    if (m.type() === 'error' && !/status of 400/.test(m.text())) problems.push(m.text());
  });
  p.on('pageerror', (e) => problems.push(e.message));
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'terrafuse-e2e-settings-'));
  serve = await startServe();
  browser = await launchChromium();
  await browser.context.route('https://tile.openstreetmap.org/**', (route) =>
    route.fulfill({ status: 200, contentType: 'image/png', headers: { 'access-control-allow-origin': '*' }, body: TILE }),
  );
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  watch(page);
  await page.goto(serve.url);
  await showSettings(page);
});

afterAll(async () => {
  await browser?.close();
  await serve?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('Settings panel (serve mode)', () => {
  it('starts from the defaults: no workspace, Automatic engine, basemap off, no recent datasets', async () => {
    expect(await page.locator('[data-testid=workspace-input]').inputValue()).toBe('');
    expect(await page.locator('[data-testid=engine-choice-auto]').isChecked()).toBe(true);
    expect(await page.locator('[data-testid=basemap-online]').isChecked()).toBe(false);
    expect(await page.locator('[data-testid=recent-dataset]').count()).toBe(0);
    // Serve mode: the folder is typed (a path on the server); there is no native dialog.
    expect(await page.locator('[data-testid=workspace-choose]').count()).toBe(0);
  });

  it('About: name, version, transport, the server platform and the engine in use', async () => {
    const engine = await callApi(serve, 'engine.info', {});
    const about = page.locator('[data-testid=settings-about]');
    await expect.poll(() => about.locator('dd[data-about=Engine]').innerText()).toContain(engine.backend);
    expect(await about.locator('dd[data-about=Application]').innerText()).toBe('Terrafuse');
    expect(await about.locator('dd[data-about=Version]').innerText()).toBe(pkg.version);
    expect(await about.locator('dd[data-about=Transport]').innerText()).toMatch(/^Serve mode/);
    expect(await about.locator('[data-about="Server platform"]').innerText()).toBe(process.platform);
    // The engine section marks the same backend as in use; the rungs above it carry their reasons.
    expect(await page.locator('[data-testid=engine-in-use]').innerText()).toBe(`in use: ${engine.backend}`);
    for (const skipped of engine.skipped) {
      await expect.poll(() => page.locator('[data-testid=settings-engine]').innerText()).toContain(skipped.reason);
    }
  });

  it('shows the services’ refusal of a relative workspace path inline and saves nothing', async () => {
    await page.locator('[data-testid=workspace-input]').fill('relative/workspace');
    await page.locator('[data-testid=workspace-save]').click();
    await expect
      .poll(() => page.locator('[data-testid=workspace-error]').innerText())
      .toBe('workspaceFolder must be an absolute path: relative/workspace');
    expect(serve.services.settings.get().workspaceFolder).toBeNull();
  });

  it('changes the workspace folder and the engine override; both are saved to settings.json', async () => {
    const workspace = join(scratch, 'workspace');
    await page.locator('[data-testid=workspace-input]').fill(`${workspace}/`);
    await page.locator('[data-testid=workspace-input]').press('Enter');
    await expect.poll(() => serve.services.settings.get().workspaceFolder).toBe(workspace);
    expect(await page.locator('[data-testid=workspace-error]').count()).toBe(0);
    expect(await page.locator('[data-testid=workspace-input]').inputValue()).toBe(workspace);

    await page.locator('[data-testid=engine-choice-cpu]').check();
    await expect.poll(() => serve.services.settings.get().engineOverride).toBe('cpu');
    // engine.info runs the ladder again with the new choice; the page shows the answer.
    await expect.poll(() => page.locator('[data-testid=engine-in-use]').innerText(), { timeout: 30_000 }).toBe('in use: cpu');
    expect((await callApi(serve, 'engine.info', {})).backend).toBe('cpu');

    await serve.services.settings.flush();
    expect(settingsOnDisk()).toMatchObject({ workspaceFolder: workspace, engineOverride: 'cpu' });
  });

  it('still shows both after a reload of the page', async () => {
    await page.reload();
    await showSettings(page);
    expect(await page.locator('[data-testid=workspace-input]').inputValue()).toBe(join(scratch, 'workspace'));
    expect(await page.locator('[data-testid=engine-choice-cpu]').isChecked()).toBe(true);
    await expect.poll(() => page.locator('[data-testid=engine-in-use]').innerText()).toBe('in use: cpu');
  });

  it('follows a change made in another tab without a reload', async () => {
    const other = await browser.context.newPage();
    watch(other);
    try {
      await other.goto(serve.url);
      await showSettings(other);
      await other.locator('[data-testid=engine-choice-auto]').check();
      await other.locator('[data-testid=workspace-input]').fill(join(scratch, 'other'));
      await other.locator('[data-testid=workspace-input]').press('Enter');
      await expect.poll(() => serve.services.settings.get().workspaceFolder).toBe(join(scratch, 'other'));
    } finally {
      await other.close();
    }
    await expect.poll(() => page.locator('[data-testid=engine-choice-auto]').isChecked()).toBe(true);
    await expect.poll(() => page.locator('[data-testid=workspace-input]').inputValue()).toBe(join(scratch, 'other'));
    await serve.services.settings.flush();
    expect(settingsOnDisk()).toMatchObject({ workspaceFolder: join(scratch, 'other'), engineOverride: null });
  });

  it('lists recent datasets, removes one (from settings.json too) and opens another in the Data panel', async () => {
    const gone = join(scratch, 'dataset-gone');
    await callApi(serve, 'settings.update', { recentDatasets: [gone, REAL_DATASET] });
    const rows = page.locator('[data-testid=recent-dataset]');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).innerText()).toContain('dataset-gone');
    expect(await rows.nth(1).innerText()).toContain('bigearthnet-v1');
    // The services report the first folder missing: it cannot be opened, only removed.
    await expect.poll(() => rows.nth(0).locator('[data-testid=recent-open]').isDisabled()).toBe(true);

    await rows.nth(0).locator('[data-testid=recent-remove]').click();
    await expect.poll(() => serve.services.settings.get().recentDatasets).toEqual([REAL_DATASET]);
    await expect.poll(() => rows.count()).toBe(1);
    await serve.services.settings.flush();
    expect(settingsOnDisk().recentDatasets).toEqual([REAL_DATASET]);

    // Open: the Data panel's own action, shown in the Data panel.
    await rows.nth(0).locator('[data-testid=recent-open]').click();
    await page.locator('aside[aria-label="Data"] [data-testid=dataset-card]').waitFor({ timeout: 60_000 });
    const [opened] = (await callApi(serve, 'datasets.list', {})).open;
    expect(opened.path).toBe(REAL_DATASET);
    expect(await page.locator('[data-testid=dataset-patches]').innerText()).toBe(String(opened.patches));
    await openPanel(page, 'Settings');
  });

  it('switches the online basemap through the map’s own binding (stored, page reloaded under the new policy)', async () => {
    // click(), not check(): the box stays unchecked until the reload admits the tiles. Both awaited together, so a
    // failed click cannot leave the wait for 'load' rejecting later, unobserved.
    await Promise.all([page.waitForEvent('load'), page.locator('[data-testid=basemap-online]').click()]);
    await showSettings(page);
    expect(serve.services.settings.get().basemapOnline).toBe(true);
    await expect.poll(() => page.locator('[data-testid=basemap-online]').isChecked()).toBe(true);
    // The Layers panel shows the same layer switched on: one switch, two places.
    await openPanel(page, 'Layers');
    expect(await page.locator('[data-layer=osm] input[type=checkbox]').isChecked()).toBe(true);

    await openPanel(page, 'Settings');
    await page.locator('[data-testid=basemap-online]').uncheck();
    await expect.poll(() => serve.services.settings.get().basemapOnline).toBe(false);
  });

  it('had no error in the pages', () => {
    expect(problems).toEqual([]);
  });
});
