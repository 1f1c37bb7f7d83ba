// The Electron main process: one window, the services behind the IPC transport, the app:// protocol, menus,
// native dialogs and a graceful quit. Everything with logic lives in Electron-free modules next to this file
// (security.ts, ipc.ts, menu.ts, window-state.ts, app-protocol.ts) where tests check it; this file only wires.
// @ts-ignore -- electron is an optional dependency whose types are absent when its download failed; the local
// ElectronMain interface types what is used either way.
import { app as appModule, BrowserWindow as BrowserWindowModule, Menu as MenuModule, dialog as dialogModule, ipcMain as ipcMainModule, protocol as protocolModule, screen as screenModule, session as sessionModule, shell as shellModule } from 'electron';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallContext } from '../../api/contract';
import type { EngineInfo } from '../../api/engine';
import { createServices, type DialogProvider, type Services } from '../../services';
import { buildCsp } from '../csp';
import { createAppProtocolHandler } from './app-protocol';
import type { BrowserWindowLike, ElectronMain } from './electron-api';
import { registerIpcTransport } from './ipc';
import { aboutDialog, buildMenuTemplate } from './menu';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  buildWindowOptions,
  createWindowOpenHandler,
  devicePermissionHandler,
  guardNavigation,
  isTrustedAppUrl,
  permissionCheckHandler,
  permissionRequestHandler,
  preventWebview,
  withCspHeader,
} from './security';
import { captureBounds, restoreBounds } from './window-state';

const { app, BrowserWindow, Menu, dialog, ipcMain, protocol, session, shell, screen } = {
  app: appModule,
  BrowserWindow: BrowserWindowModule,
  Menu: MenuModule,
  dialog: dialogModule,
  ipcMain: ipcMainModule,
  protocol: protocolModule,
  session: sessionModule,
  shell: shellModule,
  screen: screenModule,
} as unknown as ElectronMain;

const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '..', 'renderer');
const preloadPath = join(here, '..', 'preload', 'index.cjs');
const iconPath = join(here, '..', '..', 'resources', 'icon.png');
// electron-vite dev serves the renderer with hot reload; never honoured in a packaged app.
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const ipcContext: CallContext = { transport: 'ipc' };

// Must happen before `ready`: the app scheme is a secure standard origin, and every renderer is sandboxed.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
app.enableSandbox();

let mainWindow: BrowserWindowLike | undefined;
let services: Services | undefined;

if (!app.requestSingleInstanceLock()) {
  // Another Terrafuse is running; it gets focused through its second-instance event.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.whenReady().then(start, (err: unknown) => fatal(err));
}

function fatal(err: unknown): void {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  console.error('terrafuse: failed to start:', text);
  dialog.showErrorBox('Terrafuse could not start', text);
  app.exit(1);
}

function currentCsp(): string {
  return buildCsp({ basemapOnline: services?.settings.get().basemapOnline ?? false, devServerOrigin: devServerUrl });
}

function electronDialogs(): DialogProvider {
  const win = (): BrowserWindowLike => {
    if (!mainWindow || mainWindow.isDestroyed()) throw new Error('no window to attach the dialog to');
    return mainWindow;
  };
  return {
    async openFolder(request) {
      const title = request.title ?? (request.purpose === 'workspace' ? 'Open workspace folder' : 'Open dataset folder');
      const result = await dialog.showOpenDialog(win(), { title, properties: ['openDirectory', 'createDirectory'] });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async openFile(request) {
      const result = await dialog.showOpenDialog(win(), { title: request.title, properties: ['openFile'], filters: request.filters });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async saveFile(request) {
      const result = await dialog.showSaveDialog(win(), { title: request.title, defaultPath: request.defaultName, filters: request.filters });
      return result.canceled || !result.filePath ? null : result.filePath;
    },
  };
}

async function start(): Promise<void> {
  const svc = await createServices({ dialogs: electronDialogs(), version: app.getVersion(), openSampleOnStart: true });
  services = svc;
  // Bring the engine up in the background so the status bar and the about box have it when asked.
  void svc.handlers['engine.info']({}, ipcContext).catch((err: unknown) => console.warn('terrafuse: engine:', err));

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler(permissionRequestHandler);
  ses.setPermissionCheckHandler(permissionCheckHandler);
  ses.setDevicePermissionHandler(devicePermissionHandler);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCspHeader(details.responseHeaders ?? {}, currentCsp()) });
  });
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ rendererDir, csp: currentCsp }));

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => guardNavigation(event, url, devServerUrl));
    contents.on('will-redirect', (event, url) => guardNavigation(event, url, devServerUrl));
    contents.on('will-attach-webview', preventWebview);
    contents.setWindowOpenHandler(createWindowOpenHandler((url) => void shell.openExternal(url)));
  });

  registerIpcTransport({
    ipcMain,
    services: svc,
    isTrustedSender: (url) => isTrustedAppUrl(url, devServerUrl),
    broadcast: (channel, name, payload) => {
      for (const win of BrowserWindow.getAllWindows()) {
        if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(channel, name, payload);
      }
    },
  });

  // A page's CSP is fixed when it loads: switching the online basemap reloads the page with the new policy.
  let basemapOnline = svc.settings.get().basemapOnline;
  svc.events.on('settings.changed', (settings) => {
    if (settings.basemapOnline === basemapOnline) return;
    basemapOnline = settings.basemapOnline;
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.reload();
  });

  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(menuActions(svc), { isMac: process.platform === 'darwin', devTools: !app.isPackaged })));
  createWindow(svc);

  app.on('window-all-closed', () => app.quit());
  let shutdownDone = false;
  let shuttingDown = false;
  app.on('before-quit', (event) => {
    if (shutdownDone) return;
    event.preventDefault();
    if (shuttingDown) return;
    shuttingDown = true;
    svc
      .shutdown()
      .catch((err: unknown) => console.error('terrafuse: shutdown:', err))
      .finally(() => {
        shutdownDone = true;
        app.quit();
      });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}

function menuActions(svc: Services) {
  const pickFolder = async (purpose: 'dataset' | 'workspace'): Promise<void> => {
    const { path } = await svc.handlers['dialog.openFolder']({ purpose }, ipcContext);
    if (path) svc.events.emit('app.menu', { action: purpose === 'dataset' ? 'openDataset' : 'openWorkspace', path });
  };
  const report = (err: unknown): void => console.error('terrafuse: menu action failed:', err);
  return {
    openDataset: () => void pickFolder('dataset').catch(report),
    openWorkspace: () => void pickFolder('workspace').catch(report),
    exportResults: () => void svc.events.emit('app.menu', { action: 'export' }),
    toggleLayers: () => void svc.events.emit('app.menu', { action: 'toggleLayers' }),
    togglePanels: () => void svc.events.emit('app.menu', { action: 'togglePanels' }),
    about: () => {
      void (async () => {
        let engine: EngineInfo | string;
        try {
          engine = await svc.handlers['engine.info']({}, ipcContext);
        } catch (err) {
          engine = `unavailable (${err instanceof Error ? err.message : String(err)})`;
        }
        if (!mainWindow || mainWindow.isDestroyed()) return;
        await dialog.showMessageBox(mainWindow, { type: 'info', buttons: ['OK'], ...aboutDialog(app.getVersion(), engine) });
      })().catch(report);
    },
  };
}

function createWindow(svc: Services): void {
  const { bounds, maximized } = restoreBounds(svc.settings.get().window, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow(
    buildWindowOptions({ preload: preloadPath, bounds, icon: existsSync(iconPath) ? iconPath : undefined, devTools: !app.isPackaged }),
  );
  mainWindow = win;
  if (maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  // Saved when the user stops moving or resizing, and on close; each save is one atomic write.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = (): void => {
    if (win.isDestroyed()) return;
    const state = captureBounds(win.getNormalBounds(), win.isMaximized());
    svc.settings.update({ window: state }).catch((err: unknown) => console.warn('terrafuse: saving the window state:', err));
  };
  const saveSoon = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  for (const event of ['resized', 'moved', 'maximize', 'unmaximize'] as const) win.on(event, saveSoon);
  win.on('close', () => {
    if (timer) clearTimeout(timer);
    save();
  });
  win.on('closed', () => {
    mainWindow = undefined;
  });

  void win.loadURL(devServerUrl ?? APP_ENTRY_URL);
}
