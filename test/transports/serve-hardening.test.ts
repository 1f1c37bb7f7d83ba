import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseCsp } from '../../src-main/transports/csp';
import { tokenEquals, parseCookies } from '../../src-main/transports/serve/auth';
import { isLoopbackHost, serveWarnings, startServeServer } from '../../src-main/transports/serve/server';
import { makeServeHarness, type ServeHarness } from './support/harness';

/** Raw HTTP, so paths reach the server exactly as written (fetch and URL would normalise `..` away). */
function raw(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string | number>; body?: string | Buffer },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Opens a WebSocket and reports the handshake outcome: 'open' or the HTTP status of the refusal. */
function wsOutcome(url: string, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      resolve('open');
      ws.close();
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? -1);
      res.resume();
    });
    ws.on('error', () => resolve(-1));
  });
}

describe('serve mode hardening', () => {
  let h: ServeHarness;
  let port: number;
  let token: string;
  let bearer: Record<string, string>;
  let cookie: string;
  const json = { 'content-type': 'application/json' };

  /** The server still answers a normal, authorised call. */
  async function stillAnswers(): Promise<void> {
    const res = await raw(port, { method: 'POST', path: '/api/app.info', headers: { ...bearer, ...json }, body: '{}' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ name: 'Terrafuse', transport: 'serve' });
  }

  beforeAll(async () => {
    h = await makeServeHarness();
    port = h.server.port;
    token = h.server.token;
    bearer = { authorization: `Bearer ${token}` };
    cookie = `terrafuse_${port}=${token}`;
    // Things a traversal would love to reach: a file beside the renderer folder, a dot-file, a symlink out.
    await writeFile(join(h.rendererDir, '..', 'secret.txt'), 'TOP-SECRET-BESIDE\n');
    await writeFile(join(h.rendererDir, '.env'), 'TOP-SECRET-DOTFILE\n');
    await symlink(h.sandbox.secret, join(h.rendererDir, 'assets', 'leak.txt'));
  });
  afterAll(async () => {
    await h.close();
  });

  it('binds 127.0.0.1 by default and prints a URL with a fresh 32-byte token', () => {
    expect(h.server.host).toBe('127.0.0.1');
    expect(h.server.url).toBe(`http://127.0.0.1:${port}/?token=${token}`);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(h.server.warnings).toEqual([]);
  });

  it('answers 401 without a token — for the page, the assets and the API', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js']) {
      const res = await raw(port, { path });
      expect(res.status, path).toBe(401);
      expect(res.body).not.toContain('<html');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const api = await raw(port, { method: 'POST', path: '/api/app.info', headers: json, body: '{}' });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ code: 'forbidden' });
    await stillAnswers();
  });

  it('answers 401 to a wrong token in the query, the cookie or the Authorization header', async () => {
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const attempts: { path: string; method?: string; headers?: Record<string, string>; body?: string }[] = [
      { path: `/?token=${wrong}` },
      { path: '/?token=' },
      { path: `/?token=${token}x` },
      { path: '/', headers: { cookie: `terrafuse_${port}=${wrong}` } },
      { path: '/', headers: { cookie: `terrafuse_${port + 1}=${token}` } }, // another server's cookie name
      { path: '/', headers: { authorization: `Bearer ${wrong}` } },
      { path: '/', headers: { authorization: `Basic ${token}` } },
      { path: '/api/app.info', method: 'POST', headers: { ...json, authorization: `Bearer ${token.slice(0, 10)}` }, body: '{}' },
    ];
    for (const a of attempts) {
      const res = await raw(port, a);
      expect(res.status, JSON.stringify(a)).toBe(401);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    await stillAnswers();
  });

  it('trades the token in the URL for an HttpOnly SameSite=Strict cookie and redirects to the clean URL', async () => {
    const res = await raw(port, { path: `/?token=${token}` });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    const set = res.headers['set-cookie']?.[0] ?? '';
    expect(set).toBe(`terrafuse_${port}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    // Other query parameters survive; the token does not.
    const deep = await raw(port, { path: `/index.html?token=${token}&dataset=a` });
    expect(deep.headers.location).toBe('/index.html?dataset=a');
    // With the cookie the page loads, with our CSP and the hardening headers.
    const page = await raw(port, { path: '/', headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<body>Terrafuse</body>');
    const csp = parseCsp(String(page.headers['content-security-policy']));
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toContain(`ws://127.0.0.1:${port}`);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('serves static files with their MIME types and never lists a folder', async () => {
    const types: Record<string, string> = {
      '/assets/app.js': 'text/javascript; charset=utf-8',
      '/assets/app.css': 'text/css; charset=utf-8',
      '/assets/engine.wasm': 'application/wasm',
      '/assets/logo.svg': 'image/svg+xml',
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await raw(port, { path, headers: { cookie } });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    }
    for (const path of ['/assets', '/assets/', '/nope.js']) {
      const res = await raw(port, { path, headers: { cookie } });
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('app.js');
    }
    expect((await raw(port, { method: 'DELETE', path: '/index.html', headers: { cookie } })).status).toBe(405);
  });

  it('refuses path traversal: .., encoded .., backslashes, dot-files, symlinks out, absolute paths', async () => {
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/assets%5c..%5c..%5csecret.txt',
      '/.env',
      '/assets/leak.txt',
      `/${h.sandbox.secret}`,
      `/${encodeURIComponent(h.sandbox.secret)}`,
      '//etc/passwd',
      '/%00index.html',
      '/%E0%A4%A',
    ];
    for (const path of attempts) {
      const res = await raw(port, { path, headers: { cookie } });
      expect([400, 403, 404], path).toContain(res.status);
      expect(res.body, path).not.toContain('TOP-SECRET');
      expect(res.body, path).not.toContain('root:');
    }
    await stillAnswers();
  });

  it('refuses oversized bodies with 413, malformed JSON with 400, and keeps answering', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) });
    const tooBig = await raw(port, { method: 'POST', path: '/api/app.info', headers: { ...bearer, ...json }, body: big });
    expect(tooBig.status).toBe(413);
    expect(JSON.parse(tooBig.body)).toMatchObject({ code: 'bad_request' });
    await stillAnswers();

    // A declared length far beyond the limit is refused before any of it is read.
    const declared = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/app.info', headers: { ...bearer, ...json, 'content-length': 512 * 1024 * 1024 } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('{');
    });
    expect(declared).toBe(413);
    await stillAnswers();

    for (const body of ['{', '{"a":', 'not json', '[1,2', '\u0000', '{"method": "app.info"}}']) {
      const res = await raw(port, { method: 'POST', path: '/api/app.info', headers: { ...bearer, ...json }, body });
      expect(res.status, body).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'bad_request' });
    }
    await stillAnswers();
  });

  it('maps contract errors to HTTP statuses and refuses non-JSON, non-POST and cross-origin calls', async () => {
    const call = (path: string, body: string, headers: Record<string, string> = {}) =>
      raw(port, { method: 'POST', path, headers: { ...bearer, ...json, ...headers }, body });
    expect((await call('/api/no.such', '{}')).status).toBe(404);
    expect((await call('/api/settings.update', '{"basemapOnline":"yes"}')).status).toBe(400);
    expect((await call('/api/jobs.get', '{"jobId":"nope"}')).status).toBe(404);
    expect((await call('/api/dialog.openFolder', '{"purpose":"dataset"}')).status).toBe(503);
    expect((await call('/api/files.stat', JSON.stringify({ path: h.sandbox.secret }))).status).toBe(403);
    expect((await call('/api/app.info', '{}', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('/api/app.info', '{}', { origin: `http://127.0.0.1:${port}` })).status).toBe(200);
    expect((await raw(port, { method: 'POST', path: '/api/app.info', headers: { ...bearer, 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    const get = await raw(port, { path: '/api/app.info', headers: bearer });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    await stillAnswers();
  });

  it('WebSocket: refuses no token, wrong token, a foreign Origin and cookie-only without Origin', async () => {
    const url = `ws://127.0.0.1:${port}/api/events`;
    const own = `http://127.0.0.1:${port}`;
    expect(await wsOutcome(url, {})).toBe(401);
    expect(await wsOutcome(url, { origin: own })).toBe(401);
    expect(await wsOutcome(url, { authorization: 'Bearer wrong-token-wrong-token' })).toBe(401);
    expect(await wsOutcome(url, { cookie, origin: 'http://evil.example' })).toBe(403);
    expect(await wsOutcome(url, { cookie, origin: `http://localhost:${port + 1}` })).toBe(403);
    expect(await wsOutcome(url, { ...bearer, origin: 'http://evil.example' })).toBe(403);
    expect(await wsOutcome(url, { cookie })).toBe(403);
    expect(await wsOutcome(`ws://127.0.0.1:${port}/elsewhere`, { ...bearer })).toBe(404);
    // The two legitimate ways in: a browser (cookie + own Origin) and a program (bearer token).
    expect(await wsOutcome(url, { cookie, origin: own })).toBe('open');
    expect(await wsOutcome(url, bearer)).toBe('open');
    await stillAnswers();
  });

  it('the online basemap setting opens the CSP to OSM tiles, and only then', async () => {
    const cspNow = async () => parseCsp(String((await raw(port, { path: '/', headers: { cookie } })).headers['content-security-policy']));
    expect((await cspNow()).get('img-src')).not.toContain('https://tile.openstreetmap.org');
    await h.services.settings.update({ basemapOnline: true });
    const online = await cspNow();
    expect(online.get('img-src')).toContain('https://tile.openstreetmap.org');
    expect(online.get('connect-src')).toContain('https://tile.openstreetmap.org');
    expect(online.get('script-src')).toEqual(["'self'"]);
    await h.services.settings.update({ basemapOnline: false });
    expect((await cspNow()).get('img-src')).not.toContain('https://tile.openstreetmap.org');
  });
});

describe('serve mode building blocks', () => {
  it('compares tokens in constant time on digests, whatever their lengths', () => {
    expect(tokenEquals('abc', 'abc')).toBe(true);
    expect(tokenEquals('abc', 'abd')).toBe(false);
    expect(tokenEquals('', 'abc')).toBe(false);
    expect(tokenEquals('abc'.repeat(100), 'abc')).toBe(false);
  });

  it('parses cookies, first occurrence winning', () => {
    expect([...parseCookies('a=1; b = 2;c=3; a=9; broken; =x')]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
  });

  it('warns for every host but loopback', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) {
      expect(isLoopbackHost(host), host).toBe(true);
      expect(serveWarnings(host)).toEqual([]);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'gpu-box.example.org', '128.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
      expect(serveWarnings(host)[0]).toMatch(/^warning: serving on .*reachable from other machines/);
    }
  });

  it('refuses a token that would not survive a URL or a cookie', async () => {
    const services = { handlers: {} as never, events: { subscribe: () => () => undefined }, settings: { get: () => ({ basemapOnline: false }) } };
    await expect(startServeServer({ rendererDir: '/nonexistent', services, token: 'short' })).rejects.toThrow(/token/);
    await expect(startServeServer({ rendererDir: '/nonexistent', services, token: 'a;b=c'.repeat(5) })).rejects.toThrow(/token/);
  });

  it('two servers on one host keep their cookies apart, and a missing renderer build answers 503', async () => {
    const services = { handlers: {} as never, events: { subscribe: () => () => undefined }, settings: { get: () => ({ basemapOnline: false }) } };
    const a = await startServeServer({ rendererDir: '/nonexistent', services });
    const b = await startServeServer({ rendererDir: '/nonexistent', services });
    try {
      expect(a.token).not.toBe(b.token);
      const setA = (await raw(a.port, { path: `/?token=${a.token}` })).headers['set-cookie']?.[0] ?? '';
      const setB = (await raw(b.port, { path: `/?token=${b.token}` })).headers['set-cookie']?.[0] ?? '';
      expect(setA.split('=')[0]).not.toBe(setB.split('=')[0]);
      const page = await raw(a.port, { path: '/', headers: { cookie: `terrafuse_${a.port}=${a.token}` } });
      expect(page.status).toBe(503);
      expect(page.body).toContain('npm run build');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
