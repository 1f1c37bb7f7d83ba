import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createIpcClient } from '../../../src-main/api/client-ipc';
import { createServeClient, type OpenSocket } from '../../../src-main/api/client-serve';
import type { TerrafuseClient } from '../../../src-main/api/client-types';
import { createServices, type DialogProvider, type Services } from '../../../src-main/services';
import { registerIpcTransport } from '../../../src-main/transports/electron/ipc';
import { createPreloadApi } from '../../../src-main/transports/electron/preload-api';
import { APP_ENTRY_URL, isTrustedAppUrl } from '../../../src-main/transports/electron/security';
import { startServeServer, type ServeServer } from '../../../src-main/transports/serve/server';
import { FakeIpcMain } from './fake-ipc';

export const DEMO_KIND_URL = new URL('../../services/fixtures/demo-sleep.ts', import.meta.url);

/** A throw-away world for one transport: config folder, workspace with files, a secret outside it. */
export interface Sandbox {
  root: string;
  configDir: string;
  workspace: string;
  outside: string;
  secret: string;
}

export async function makeSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'terrafuse-transport-'));
  const configDir = join(root, 'config');
  const workspace = join(root, 'workspace');
  const outside = join(root, 'outside');
  await mkdir(join(workspace, 'runs'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(join(workspace, 'notes.txt'), 'inside the workspace\n');
  const secret = join(outside, 'secret.txt');
  await writeFile(secret, 'TOP-SECRET-OUTSIDE\n');
  // A symlink inside the workspace that leads out of it.
  await symlink(outside, join(workspace, 'escape'));
  return { root, configDir, workspace, outside, secret };
}

/** Records the dialog requests and answers with the next queued path (null = cancelled). */
export class FakeDialogs implements DialogProvider {
  readonly answers: (string | null)[] = [];
  readonly asked: string[] = [];
  async openFolder(request: { purpose: string }): Promise<string | null> {
    this.asked.push(`openFolder:${request.purpose}`);
    return this.answers.shift() ?? null;
  }
  async openFile(): Promise<string | null> {
    this.asked.push('openFile');
    return this.answers.shift() ?? null;
  }
  async saveFile(): Promise<string | null> {
    this.asked.push('saveFile');
    return this.answers.shift() ?? null;
  }
}

export interface Harness {
  transport: 'ipc' | 'serve';
  sandbox: Sandbox;
  services: Services;
  client: TerrafuseClient;
  /** Native dialogs (IPC only; serve mode has none). */
  dialogs?: FakeDialogs;
  /** A second, independent client: a reloaded page or a browser that reconnects. */
  newClient(): Promise<TerrafuseClient>;
  close(): Promise<void>;
}

async function servicesFor(sandbox: Sandbox, dialogs?: DialogProvider): Promise<Services> {
  const services = await createServices({ configDir: sandbox.configDir, dialogs, jobs: { cancelGraceMs: 3000 } });
  services.jobs.registry.register('demo.sleep', DEMO_KIND_URL);
  return services;
}

/** Resolves once the client's event stream is up (events emitted before that would be missed). */
export function connected(client: TerrafuseClient): Promise<void> {
  return new Promise((resolve) => {
    const off = client.onStatus((status) => {
      if (status === 'connected') {
        queueMicrotask(() => off());
        resolve();
      }
    });
  });
}

export async function makeIpcHarness(): Promise<Harness> {
  const sandbox = await makeSandbox();
  const dialogs = new FakeDialogs();
  const services = await servicesFor(sandbox, dialogs);
  const ipcMain = new FakeIpcMain();
  const dispose = registerIpcTransport({
    ipcMain,
    services,
    broadcast: (channel, name, payload) => ipcMain.broadcast(channel, name, payload),
    isTrustedSender: (url) => isTrustedAppUrl(url),
  });
  const open = (): TerrafuseClient => createIpcClient(createPreloadApi(ipcMain.connect(APP_ENTRY_URL)));
  return {
    transport: 'ipc',
    sandbox,
    services,
    dialogs,
    client: open(),
    newClient: async () => open(),
    async close() {
      dispose();
      await services.shutdown();
      await rm(sandbox.root, { recursive: true, force: true });
    },
  };
}

/** A Node WebSocket for the serve client: sends the bearer token (a browser sends the cookie instead). */
export function nodeSocket(token: string, opened?: WebSocket[]): OpenSocket {
  return (url, handlers) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    opened?.push(ws);
    let closed = false;
    const closeOnce = (): void => {
      if (!closed) {
        closed = true;
        handlers.onClose();
      }
    };
    ws.on('open', () => handlers.onOpen());
    ws.on('message', (data, isBinary) => {
      if (!isBinary) handlers.onMessage(data.toString());
    });
    ws.on('close', closeOnce);
    ws.on('error', closeOnce);
    return { close: () => ws.close() };
  };
}

/** A minimal built renderer: an index page, a script, a style sheet, a wasm file. */
export async function makeRendererDir(root: string): Promise<string> {
  const dir = join(root, 'renderer');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), '<!doctype html><html><head><script type="module" src="./assets/app.js"></script></head><body>Terrafuse</body></html>\n');
  await writeFile(join(dir, 'assets', 'app.js'), 'export const app = 1;\n');
  await writeFile(join(dir, 'assets', 'app.css'), 'body { margin: 0 }\n');
  await writeFile(join(dir, 'assets', 'engine.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  await writeFile(join(dir, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  return dir;
}

export interface ServeHarness extends Harness {
  server: ServeServer;
  rendererDir: string;
  /** Every events socket the clients opened, so tests can cut them like a network drop would. */
  sockets: WebSocket[];
}

export async function makeServeHarness(): Promise<ServeHarness> {
  const sandbox = await makeSandbox();
  const services = await servicesFor(sandbox);
  const rendererDir = await makeRendererDir(sandbox.root);
  const server = await startServeServer({ rendererDir, services });
  const sockets: WebSocket[] = [];
  const clients: TerrafuseClient[] = [];
  const open = async (): Promise<TerrafuseClient> => {
    const client = createServeClient({
      baseUrl: server.origin,
      token: server.token,
      openSocket: nodeSocket(server.token, sockets),
      reconnectDelayMs: { min: 20, max: 200 },
    });
    clients.push(client);
    await connected(client);
    return client;
  };
  return {
    transport: 'serve',
    sandbox,
    services,
    server,
    rendererDir,
    sockets,
    client: await open(),
    newClient: open,
    async close() {
      for (const c of clients) c.close();
      await server.close();
      await services.shutdown();
      await rm(sandbox.root, { recursive: true, force: true });
    },
  };
}
