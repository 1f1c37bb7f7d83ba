import type { ApiErrorShape } from './errors';

/**
 * What travels between the clients and the transports, shared by both ends. No zod and no Node modules here:
 * the preload script and the browser bundle import this file.
 */

/** The answer to one call over IPC (Electron turns thrown errors into opaque strings, so results carry them). */
export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; error: ApiErrorShape };

/** ipcRenderer.invoke(IPC_CALL_CHANNEL, method, request) → CallResult. */
export const IPC_CALL_CHANNEL = 'terrafuse:call';
/** webContents.send(IPC_EVENT_CHANNEL, eventName, payload). */
export const IPC_EVENT_CHANNEL = 'terrafuse:event';

/** POST `${SERVE_API_PREFIX}<method>` with a JSON body; the WebSocket for events is at SERVE_EVENTS_PATH. */
export const SERVE_API_PREFIX = '/api/';
export const SERVE_EVENTS_PATH = '/api/events';

/** Messages the serve-mode server sends on the events WebSocket. */
export type ServerSocketMessage =
  | { type: 'hello'; server: 'terrafuse' }
  | { type: 'event'; name: string; payload: unknown };

/**
 * What the preload script exposes as `window.terrafuse` (and nothing else). Untyped on purpose at this boundary:
 * the main process validates every request, and `createApiClient` wraps this in the typed ApiClient.
 */
export interface TerrafuseBridge {
  call(method: string, request: unknown): Promise<CallResult>;
  /** Returns the unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    terrafuse?: TerrafuseBridge;
  }
}
