import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EngineInfo } from '../../src-main/api/engine';
import { buildCsp, OSM_TILE_ORIGINS, parseCsp } from '../../src-main/transports/csp';
import { createAppProtocolHandler } from '../../src-main/transports/electron/app-protocol';
import { aboutDialog, buildMenuTemplate, type MenuActions, type MenuItemSpec } from '../../src-main/transports/electron/menu';
import {
  APP_ENTRY_URL,
  APP_SCHEME_PRIVILEGES,
  buildWindowOptions,
  createWindowOpenHandler,
  devicePermissionHandler,
  guardNavigation,
  isTrustedAppUrl,
  permissionCheckHandler,
  permissionRequestHandler,
  preventWebview,
  SECURE_WEB_PREFERENCES,
  withCspHeader,
} from '../../src-main/transports/electron/security';
import { captureBounds, DEFAULT_WINDOW_SIZE, restoreBounds } from '../../src-main/transports/electron/window-state';

const preventable = () => {
  const event = { prevented: false, preventDefault: () => (event.prevented = true) };
  return event;
};

describe('the BrowserWindow options', () => {
  it('isolate the renderer: context isolation, sandbox, no Node, web security on', () => {
    const options = buildWindowOptions({ preload: '/app/out/preload/index.cjs', bounds: { width: 1000, height: 700 } });
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      devTools: false,
      preload: '/app/out/preload/index.cjs',
    });
    expect(options.show).toBe(false);
    expect(options.width).toBe(1000);
    expect(Object.isFrozen(SECURE_WEB_PREFERENCES)).toBe(true);
    // Development builds only add the devtools; nothing else loosens.
    const dev = buildWindowOptions({ preload: '/p.cjs', bounds: { width: 1, height: 1 }, devTools: true });
    expect({ ...dev.webPreferences, devTools: false, preload: '/app/out/preload/index.cjs' }).toEqual(options.webPreferences);
  });

  it('register the app scheme as a secure standard origin that cannot bypass the CSP', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true, bypassCSP: false, allowServiceWorkers: false, corsEnabled: false });
  });
});

describe('the navigation, window and permission handlers', () => {
  it('trust only the app origin (and the dev server when one is given)', () => {
    expect(isTrustedAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isTrustedAppUrl('terrafuse://app/assets/x.js?v=1#h')).toBe(true);
    for (const url of ['terrafuse://evil/index.html', 'https://app/', 'file:///app/index.html', 'http://localhost:5173/', 'javascript:alert(1)', 'not a url', '']) {
      expect(isTrustedAppUrl(url), url).toBe(false);
    }
    expect(isTrustedAppUrl('http://localhost:5173/src/main.ts', 'http://localhost:5173')).toBe(true);
    expect(isTrustedAppUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
  });

  it('stop every navigation away from the app', () => {
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'http://127.0.0.1:8080/']) {
      const event = preventable();
      expect(guardNavigation(event, url)).toBe(false);
      expect(event.prevented, url).toBe(true);
    }
    const inside = preventable();
    expect(guardNavigation(inside, APP_ENTRY_URL)).toBe(true);
    expect(inside.prevented).toBe(false);
  });

  it('deny every window.open; only https links go to the system browser', () => {
    const opened: string[] = [];
    const handler = createWindowOpenHandler((url) => opened.push(url));
    for (const url of ['https://www.openstreetmap.org/copyright', 'http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', APP_ENTRY_URL, 'smb://host/share']) {
      expect(handler({ url })).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual(['https://www.openstreetmap.org/copyright']);
    expect(createWindowOpenHandler()({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('refuse every permission request and check, every device, every webview', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'midi', 'openExternal', 'fullscreen']) {
      const callback = vi.fn();
      permissionRequestHandler({}, permission, callback);
      expect(callback).toHaveBeenCalledExactlyOnceWith(false);
    }
    expect(permissionCheckHandler()).toBe(false);
    expect(devicePermissionHandler()).toBe(false);
    const event = preventable();
    preventWebview(event);
    expect(event.prevented).toBe(true);
  });

  it('replace whatever CSP a response carries with ours', () => {
    const out = withCspHeader(
      { 'content-security-policy': ["default-src *"], 'Content-Security-Policy-Report-Only': 'x', 'Content-Type': ['text/html'], etag: 'abc' },
      "default-src 'self'",
    );
    expect(out).toEqual({ 'Content-Type': ['text/html'], etag: ['abc'], 'Content-Security-Policy': ["default-src 'self'"] });
  });
});

describe('the Content-Security-Policy', () => {
  it('allows scripts from the app only: no inline, no eval, no remote', () => {
    for (const basemapOnline of [false, true]) {
      const csp = parseCsp(buildCsp({ basemapOnline }));
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('base-uri')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('form-action')).toEqual(["'none'"]);
      for (const [name, sources] of csp) {
        expect(sources, name).not.toContain("'unsafe-eval'");
        expect(sources, name).not.toContain('*');
        if (name !== 'style-src') expect(sources, name).not.toContain("'unsafe-inline'");
      }
    }
  });

  it('names the OSM tile server only while the online basemap is on', () => {
    const offline = buildCsp({ basemapOnline: false });
    expect(offline).not.toMatch(/openstreetmap|https:/);
    const online = parseCsp(buildCsp({ basemapOnline: true }));
    for (const origin of OSM_TILE_ORIGINS) {
      expect(online.get('img-src')).toContain(origin);
      expect(online.get('connect-src')).toContain(origin);
      expect(online.get('script-src')).not.toContain(origin);
    }
  });

  it('admits the dev server (scripts and its HMR socket) only when asked', () => {
    const csp = parseCsp(buildCsp({ basemapOnline: false, devServerOrigin: 'http://localhost:5173' }));
    expect(csp.get('script-src')).toEqual(["'self'", 'http://localhost:5173']);
    expect(csp.get('connect-src')).toContain('ws://localhost:5173');
  });
});

describe('the app:// protocol handler', () => {
  let root: string;
  let handler: ReturnType<typeof createAppProtocolHandler>;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'terrafuse-protocol-'));
    const renderer = join(root, 'renderer');
    await mkdir(join(renderer, 'assets'), { recursive: true });
    await writeFile(join(renderer, 'index.html'), '<!doctype html><title>T</title>');
    await writeFile(join(renderer, 'assets', 'a.js'), 'export {}');
    await writeFile(join(root, 'secret.txt'), 'TOP-SECRET');
    await symlink(join(root, 'secret.txt'), join(renderer, 'assets', 'leak.txt'));
    handler = createAppProtocolHandler({ rendererDir: renderer, csp: () => buildCsp({ basemapOnline: false }) });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('serves the renderer with MIME types and the CSP', async () => {
    const page = await handler({ url: 'terrafuse://app/index.html', method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<title>T</title>');
    const root = await handler({ url: 'terrafuse://app/' });
    expect(root.status).toBe(200);
    expect((await handler({ url: 'terrafuse://app/assets/a.js' })).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('refuses traversal, symlinks out, other hosts and methods', async () => {
    for (const url of ['terrafuse://app/../secret.txt', 'terrafuse://app/%2e%2e/secret.txt', 'terrafuse://app/assets/..%2f..%2fsecret.txt', 'terrafuse://app/assets/leak.txt', 'terrafuse://other/index.html', 'terrafuse://app/assets/']) {
      const res = await handler({ url });
      expect([400, 403, 404], url).toContain(res.status);
      expect(await res.text(), url).not.toContain('TOP-SECRET');
    }
    expect((await handler({ url: APP_ENTRY_URL, method: 'POST' })).status).toBe(405);
  });
});

describe('the menu', () => {
  const actions = (): MenuActions & { calls: string[] } => {
    const calls: string[] = [];
    return {
      calls,
      openDataset: () => calls.push('openDataset'),
      openWorkspace: () => calls.push('openWorkspace'),
      exportResults: () => calls.push('export'),
      toggleLayers: () => calls.push('layers'),
      togglePanels: () => calls.push('panels'),
      about: () => calls.push('about'),
    };
  };
  const find = (items: MenuItemSpec[], label: string): MenuItemSpec => {
    const item = items.find((i) => i.label === label);
    if (!item) throw new Error(`no menu item ${label}`);
    return item;
  };

  it('has File (open dataset, open workspace, export), View (layers, panels), Help (about) wired to the actions', () => {
    const a = actions();
    const menu = buildMenuTemplate(a, { isMac: false, devTools: false });
    expect(menu.map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Help']);
    const file = find(menu, 'File').submenu ?? [];
    find(file, 'Open Dataset…').click?.();
    find(file, 'Open Workspace…').click?.();
    find(file, 'Export…').click?.();
    const view = find(menu, 'View').submenu ?? [];
    find(view, 'Layers').click?.();
    find(view, 'Panels').click?.();
    find(find(menu, 'Help').submenu ?? [], 'About Terrafuse').click?.();
    expect(a.calls).toEqual(['openDataset', 'openWorkspace', 'export', 'layers', 'panels', 'about']);
    expect(file.some((i) => i.role === 'quit')).toBe(true);
    // No reload or devtools in a packaged app.
    expect(view.some((i) => i.role === 'toggleDevTools' || i.role === 'reload')).toBe(false);
    expect((buildMenuTemplate(a, { isMac: false, devTools: true })[2].submenu ?? []).some((i) => i.role === 'toggleDevTools')).toBe(true);
  });

  it('puts About and Quit in the application menu on macOS', () => {
    const menu = buildMenuTemplate(actions(), { isMac: true, devTools: false });
    expect(menu[0].label).toBe('Terrafuse');
    expect((menu[0].submenu ?? []).some((i) => i.role === 'quit')).toBe(true);
    expect((find(menu, 'File').submenu ?? []).some((i) => i.role === 'quit')).toBe(false);
  });

  it('the about box shows the version and the engine in use with the skipped rungs', () => {
    const engine: EngineInfo = {
      backend: 'wasm',
      package: '@tensorflow/tfjs-backend-wasm',
      version: '4.22.0',
      forced: false,
      skipped: [{ backend: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu', reason: 'not installed' }],
      details: {},
    };
    const box = aboutDialog('1.2.3', engine);
    expect(box.message).toBe('Terrafuse 1.2.3');
    expect(box.detail).toContain('Compute engine: wasm (@tensorflow/tfjs-backend-wasm 4.22.0)');
    expect(box.detail).toContain('skipped tensorflow-gpu: not installed');
    expect(aboutDialog('1.2.3', 'starting').detail).toContain('Compute engine: starting');
  });
});

describe('the window state', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1040 }];
  it('restores a window that is still on a screen, maximised or not', () => {
    const saved = { x: 100, y: 80, width: 1200, height: 700, maximized: true };
    expect(restoreBounds(saved, screen)).toEqual({ bounds: { x: 100, y: 80, width: 1200, height: 700 }, maximized: true });
  });

  it('falls back to the default size when the saved place is off every screen or bigger than it', () => {
    const offScreen = { x: 3000, y: 100, width: 800, height: 600, maximized: false };
    expect(restoreBounds(offScreen, screen)).toEqual({ bounds: { ...DEFAULT_WINDOW_SIZE }, maximized: false });
    expect(restoreBounds(null, [{ x: 0, y: 0, width: 1024, height: 600 }]).bounds).toEqual({ width: 1024, height: 600 });
    const huge = { x: 0, y: 0, width: 5000, height: 3000, maximized: false };
    expect(restoreBounds(huge, screen).bounds).toEqual({ x: 0, y: 0, width: 1920, height: 1040 });
    // A second monitor to the right makes the same place valid.
    expect(restoreBounds(offScreen, [...screen, { x: 1920, y: 0, width: 2560, height: 1400 }]).bounds.x).toBe(3000);
  });

  it('captures rounded normal bounds', () => {
    expect(captureBounds({ x: 10.4, y: 20.6, width: 999.5, height: 100 }, false)).toEqual({ x: 10, y: 21, width: 1000, height: 150, maximized: false });
  });
});

describe('the Electron entry points', () => {
  const source = (file: string) => readFile(new URL(`../../src-main/transports/electron/${file}`, import.meta.url), 'utf8');

  it('the preload exposes one object, window.terrafuse, built by createPreloadApi', async () => {
    const preload = await source('preload.ts');
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).toContain("exposeInMainWorld('terrafuse', createPreloadApi(ipcRenderer))");
  });

  it('main.ts installs the tested handlers and options (and nothing weaker)', async () => {
    const main = await source('main.ts');
    for (const wiring of [
      'requestSingleInstanceLock()',
      'app.enableSandbox()',
      'setPermissionRequestHandler(permissionRequestHandler)',
      'setPermissionCheckHandler(permissionCheckHandler)',
      'setDevicePermissionHandler(devicePermissionHandler)',
      "contents.on('will-navigate', (event, url) => guardNavigation(event, url, devServerUrl))",
      "contents.on('will-attach-webview', preventWebview)",
      'contents.setWindowOpenHandler(createWindowOpenHandler(',
      'withCspHeader(details.responseHeaders ?? {}, currentCsp())',
      'protocol.handle(APP_SCHEME, createAppProtocolHandler(',
      'buildWindowOptions({',
      'isTrustedSender: (url) => isTrustedAppUrl(url, devServerUrl)',
      '.shutdown()',
    ]) {
      expect(main, wiring).toContain(wiring);
    }
    expect(main).not.toMatch(/nodeIntegration:\s*true|contextIsolation:\s*false|sandbox:\s*false|webSecurity:\s*false/);
  });
});
