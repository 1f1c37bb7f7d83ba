import type { ApiHandlers } from '../../api/contract';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type CallResult } from '../../api/wire';
import type { EventSink } from '../../services/events';
import { createDispatcher } from '../dispatch';

/**
 * The Electron IPC transport, written against the few members of ipcMain it uses so that it runs (and is
 * tested) without Electron: main.ts passes the real ipcMain, tests a fake pair.
 */

/** What Electron passes as the first argument of an ipcMain.handle listener (only what we read). */
export interface IpcInvokeEventLike {
  senderFrame?: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown> | unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcTransportOptions {
  ipcMain: IpcMainLike;
  services: { handlers: ApiHandlers; events: { subscribe(sink: EventSink): () => void } };
  /** Delivers an event to every renderer (main.ts: webContents.send of each window). */
  broadcast(channel: string, name: string, payload: unknown): void;
  /** Whether a call from a frame with this URL may reach the services (only our own app pages may). */
  isTrustedSender(url: string): boolean;
}

/** Registers the call handler and the event forwarding; returns the function that undoes both. */
export function registerIpcTransport(opts: IpcTransportOptions): () => void {
  const dispatch = createDispatcher(opts.services.handlers, { transport: 'ipc' });
  opts.ipcMain.handle(IPC_CALL_CHANNEL, async (event, method, request): Promise<CallResult> => {
    const url = event?.senderFrame?.url;
    if (typeof url !== 'string' || !opts.isTrustedSender(url)) {
      return { ok: false, error: { code: 'forbidden', message: 'calls are accepted from the Terrafuse window only' } };
    }
    if (typeof method !== 'string') return { ok: false, error: { code: 'bad_request', message: 'method must be a string' } };
    return dispatch(method, request);
  });
  const unsubscribe = opts.services.events.subscribe((name, payload) => opts.broadcast(IPC_EVENT_CHANNEL, name, payload));
  return () => {
    unsubscribe();
    opts.ipcMain.removeHandler(IPC_CALL_CHANNEL);
  };
}
