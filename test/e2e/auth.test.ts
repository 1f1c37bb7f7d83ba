import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Browser } from './support/chromium';
import { startServe, type ServeFixture } from './support/serve';

/**
 * Serve mode lets in only who holds the token of this start: the page itself, the API and the event stream
 * answer 401 without it, in Chromium as well as to plain HTTP clients.
 */

let serve: ServeFixture;
let browser: Browser;

/** The HTTP status with which the server refuses (or accepts) a WebSocket upgrade. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

beforeAll(async () => {
  serve = await startServe();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await serve?.close();
});

describe('serve mode refuses requests without the token', () => {
  it('answers 401 to the page, the API and the event stream without a token', async () => {
    const page = await fetch(`${serve.origin}/`);
    expect(page.status).toBe(401);
    expect(await page.text()).not.toContain('<script');

    const asset = await fetch(`${serve.origin}/index.html`);
    expect(asset.status).toBe(401);

    const api = await fetch(`${serve.origin}/api/engine.info`, { method: 'POST', body: '{}' });
    expect(api.status).toBe(401);

    const wrong = await fetch(`${serve.origin}/api/engine.info`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-token', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);

    const wrongQuery = await fetch(`${serve.origin}/?token=not-the-token`);
    expect(wrongQuery.status).toBe(401);

    const wsUrl = `${serve.origin.replace(/^http/, 'ws')}/api/events`;
    expect(await upgradeStatus(wsUrl)).toBe(401);
  });

  it('accepts the same requests with the token', async () => {
    const api = await fetch(`${serve.origin}/api/engine.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serve.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(api.status).toBe(200);
    const wsUrl = `${serve.origin.replace(/^http/, 'ws')}/api/events`;
    expect(await upgradeStatus(wsUrl, { authorization: `Bearer ${serve.token}` })).toBe(101);
  });

  it('in Chromium: 401 without the token, the app with it, then an HttpOnly SameSite=Strict cookie', async () => {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    const refused = await page.goto(serve.origin);
    expect(refused?.status()).toBe(401);
    expect(await page.locator('[data-testid=map]').count()).toBe(0);

    const accepted = await page.goto(serve.url);
    expect(accepted?.status()).toBe(200);
    await page.waitForSelector('[data-testid=map]');

    const cookies = await browser.context.cookies(serve.origin);
    const auth = cookies.find((c) => c.value === serve.token);
    expect(auth, 'a cookie carrying the token').toBeDefined();
    expect(auth!.httpOnly).toBe(true);
    expect(auth!.sameSite).toBe('Strict');
    // Page scripts cannot read it.
    expect(await page.evaluate(() => document.cookie)).not.toContain(serve.token);

    // From now on the cookie alone opens the page; without it, 401 again.
    expect((await page.goto(serve.origin))?.status()).toBe(200);
    await browser.context.clearCookies();
    expect((await page.goto(serve.origin))?.status()).toBe(401);
  });
});
