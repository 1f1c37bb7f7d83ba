import type { IpcMainLike } from './ipc';
import type { IpcRendererLike } from './preload-api';
import type { MenuItemSpec } from './menu';
import type { APP_SCHEME_PRIVILEGES, PreventableEvent, buildWindowOptions } from './security';
import type { Rect } from './window-state';

/**
 * The part of Electron's API that main.ts and preload.ts use, typed here. Electron is an optional dependency
 * (its runtime download fails on offline machines), so its own type definitions are not always installed; these
 * declarations keep main.ts type-checked either way, and list exactly what the app relies on.
 */

export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  reload(): void;
  isDestroyed(): boolean;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  show(): void;
  focus(): void;
  restore(): void;
  maximize(): void;
  isMinimized(): boolean;
  isMaximized(): boolean;
  isDestroyed(): boolean;
  getNormalBounds(): Rect;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): void;
  on(event: 'close' | 'closed' | 'resized' | 'moved' | 'maximize' | 'unmaximize', listener: () => void): void;
}

export interface FileFilterLike {
  name: string;
  extensions: string[];
}

export interface SessionLike {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  setDevicePermissionHandler(handler: () => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
}

export interface ElectronMain {
  app: {
    readonly isPackaged: boolean;
    requestSingleInstanceLock(): boolean;
    enableSandbox(): void;
    whenReady(): Promise<void>;
    getVersion(): string;
    quit(): void;
    exit(code?: number): void;
    on(event: 'second-instance' | 'window-all-closed', listener: () => void): void;
    on(event: 'before-quit', listener: (event: PreventableEvent) => void): void;
    on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): void;
  };
  BrowserWindow: {
    new (options: ReturnType<typeof buildWindowOptions>): BrowserWindowLike;
    getAllWindows(): BrowserWindowLike[];
  };
  Menu: {
    buildFromTemplate(template: MenuItemSpec[]): unknown;
    setApplicationMenu(menu: unknown): void;
  };
  dialog: {
    showOpenDialog(
      window: BrowserWindowLike,
      options: { title?: string; properties: string[]; filters?: FileFilterLike[] },
    ): Promise<{ canceled: boolean; filePaths: string[] }>;
    showSaveDialog(
      window: BrowserWindowLike,
      options: { title?: string; defaultPath?: string; filters?: FileFilterLike[] },
    ): Promise<{ canceled: boolean; filePath?: string }>;
    showMessageBox(window: BrowserWindowLike, options: { type: 'info'; title: string; message: string; detail: string; buttons: string[] }): Promise<unknown>;
    showErrorBox(title: string, content: string): void;
  };
  ipcMain: IpcMainLike;
  protocol: {
    registerSchemesAsPrivileged(schemes: { scheme: string; privileges: typeof APP_SCHEME_PRIVILEGES }[]): void;
    handle(scheme: string, handler: (request: Request) => Promise<Response>): void;
  };
  session: { readonly defaultSession: SessionLike };
  shell: { openExternal(url: string): Promise<void> };
  screen: { getAllDisplays(): { workArea: Rect }[] };
}

export interface ElectronPreload {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: IpcRendererLike;
}
