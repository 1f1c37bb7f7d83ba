import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIpcClient } from '../../src-main/api/client-ipc';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../src-main/api/wire';
import { registerIpcTransport } from '../../src-main/transports/electron/ipc';
import { createPreloadApi } from '../../src-main/transports/electron/preload-api';
import { APP_ENTRY_URL, isTrustedAppUrl } from '../../src-main/transports/electron/security';
import { createServices, type Services } from '../../src-main/services';
import { callError, runContractSuite } from './support/contract-suite';
import { FakeIpcMain } from './support/fake-ipc';
import { makeIpcHarness, makeSandbox, type Sandbox } from './support/harness';
import { rm } from 'node:fs/promises';

runContractSuite('ipc', makeIpcHarness);

describe('the IPC transport itself', () => {
  let sandbox: Sandbox;
  let services: Services;
  let ipcMain: FakeIpcMain;
  let dispose: () => void;
  beforeAll(async () => {
    sandbox = await makeSandbox();
    services = await createServices({ configDir: sandbox.configDir });
    ipcMain = new FakeIpcMain();
    dispose = registerIpcTransport({
      ipcMain,
      services,
      broadcast: (channel, name, payload) => ipcMain.broadcast(channel, name, payload),
      isTrustedSender: (url) => isTrustedAppUrl(url),
    });
  });
  afterAll(async () => {
    await services.shutdown();
    await rm(sandbox.root, { recursive: true, force: true });
  });

  it('refuses calls from frames that are not the app (a navigated or embedded foreign page)', async () => {
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'terrafuse://other/index.html', 'about:blank']) {
      const client = createIpcClient(createPreloadApi(ipcMain.connect(url)));
      const err = await callError(client, 'app.info', {});
      expect(err.code, url).toBe('forbidden');
    }
    const trusted = createIpcClient(createPreloadApi(ipcMain.connect(APP_ENTRY_URL)));
    expect((await trusted.call('app.info', {})).transport).toBe('ipc');
  });

  it('answers malformed calls with errors, not exceptions', async () => {
    const renderer = ipcMain.connect(APP_ENTRY_URL);
    expect(await renderer.invoke(IPC_CALL_CHANNEL, 42, {})).toEqual({ ok: false, error: { code: 'bad_request', message: 'method must be a string' } });
    const bad = (await renderer.invoke(IPC_CALL_CHANNEL, 'jobs.cancel', 'not an object')) as { ok: boolean; error: { code: string } };
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('bad_request');
  });

  it('the preload bridge is exactly { call, on }, frozen, and never leaks the Electron event object', async () => {
    const renderer = ipcMain.connect(APP_ENTRY_URL);
    const bridge = createPreloadApi(renderer);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'on']);
    expect(Object.isFrozen(bridge)).toBe(true);
    const received: unknown[][] = [];
    const off = bridge.on('settings.changed', (...args: unknown[]) => received.push(args));
    expect(renderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(1);
    await services.settings.update({ basemapOnline: true });
    expect(received).toHaveLength(1);
    expect(received[0]).toHaveLength(1); // the payload only
    expect(received[0][0]).toMatchObject({ basemapOnline: true });
    off();
    await services.settings.update({ basemapOnline: false });
    expect(received).toHaveLength(1);
    expect(() => bridge.on(42 as unknown as string, () => undefined)).toThrow(TypeError);
  });

  it('dispose removes the handler and stops forwarding events', async () => {
    const renderer = ipcMain.connect(APP_ENTRY_URL);
    const bridge = createPreloadApi(renderer);
    const received: unknown[] = [];
    bridge.on('settings.changed', (p) => received.push(p));
    dispose();
    expect(ipcMain.hasHandler(IPC_CALL_CHANNEL)).toBe(false);
    await services.settings.update({ basemapOnline: true });
    expect(received).toHaveLength(0);
    await expect(renderer.invoke(IPC_CALL_CHANNEL, 'app.info', {})).rejects.toThrow(/No handler/);
  });
});
