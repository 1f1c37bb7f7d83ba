/**
 * The security settings of the Electron window as plain values and functions, so tests check exactly what
 * main.ts installs without starting Electron. Policy: the renderer is an untrusted web page that may only talk to
 * the typed contract; it may not navigate, open windows, embed webviews or obtain any permission.
 */

/** The app's own scheme: pages load from terrafuse://app/..., served from out/renderer by app-protocol.ts. */
export const APP_SCHEME = 'terrafuse';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Privileges of the app scheme (protocol.registerSchemesAsPrivileged): a standard, secure origin with fetch. */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  corsEnabled: false,
  bypassCSP: false,
  allowServiceWorkers: false,
  stream: true,
} as const;

export const SECURE_WEB_PREFERENCES = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
  devTools: false,
});

export interface WindowOptionsInput {
  /** Absolute path of the built preload script (out/preload/index.cjs). */
  preload: string;
  bounds: { x?: number; y?: number; width: number; height: number };
  icon?: string;
  /** Development builds keep the devtools; packaged apps do not. */
  devTools?: boolean;
}

/** The BrowserWindow options; `show: false` until ready-to-show so the window never flashes white. */
export function buildWindowOptions(input: WindowOptionsInput) {
  return {
    ...input.bounds,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Terrafuse',
    backgroundColor: '#1e2227',
    ...(input.icon ? { icon: input.icon } : {}),
    webPreferences: { ...SECURE_WEB_PREFERENCES, devTools: input.devTools ?? false, preload: input.preload },
  };
}

function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    // Non-special schemes (ours) have an opaque origin in WHATWG URL: rebuild it from protocol and host.
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return undefined;
  }
}

/** Whether a page URL belongs to the app (its scheme, or the dev server during `electron-vite dev`). */
export function isTrustedAppUrl(url: string, devServerUrl?: string): boolean {
  const origin = originOf(url);
  if (origin === undefined) return false;
  if (origin === APP_ORIGIN) return true;
  return devServerUrl !== undefined && origin === originOf(devServerUrl);
}

export interface PreventableEvent {
  preventDefault(): void;
}

/**
 * will-navigate / will-redirect / will-frame-navigate: the single page never navigates; anything else (a dropped
 * link, a script setting location) is stopped. Returns whether it was allowed.
 */
export function guardNavigation(event: PreventableEvent, url: string, devServerUrl?: string): boolean {
  if (isTrustedAppUrl(url, devServerUrl)) return true;
  event.preventDefault();
  return false;
}

/** https links (the map attribution, documentation) may open in the user's browser; nothing opens in-app. */
export function isExternalLinkAllowed(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** setWindowOpenHandler: always deny a new window; hand https links to the system browser if asked to. */
export function createWindowOpenHandler(openExternal?: (url: string) => void) {
  return (details: { url: string }): { action: 'deny' } => {
    if (openExternal && isExternalLinkAllowed(details.url)) openExternal(details.url);
    return { action: 'deny' };
  };
}

/** session.setPermissionRequestHandler: camera, geolocation, notifications, clipboard... all refused. */
export function permissionRequestHandler(
  _webContents: unknown,
  _permission: string,
  callback: (granted: boolean) => void,
): void {
  callback(false);
}

/** session.setPermissionCheckHandler: every synchronous permission check answers no. */
export function permissionCheckHandler(): boolean {
  return false;
}

/** session.setDevicePermissionHandler (HID, serial, USB): no. */
export function devicePermissionHandler(): boolean {
  return false;
}

/** will-attach-webview: no embedded guest pages. */
export function preventWebview(event: PreventableEvent): void {
  event.preventDefault();
}

/**
 * onHeadersReceived: replaces any Content-Security-Policy of a response (the dev server sends none, a remote page
 * could send a lax one) with ours.
 */
export function withCspHeader(headers: Record<string, string[] | string>, csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'content-security-policy' || lower === 'content-security-policy-report-only') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [csp];
  return out;
}
