import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type CallResult, type TerrafuseBridge } from '../../api/wire';

/**
 * The object the preload script exposes as `window.terrafuse`: a call function and an event subscription, over
 * two fixed channels. No ipcRenderer, no Electron event objects (their `sender` would be a way out of the
 * sandbox), no Node: the page gets exactly the contract. Kept free of the electron import so tests run it.
 */

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createPreloadApi(ipc: IpcRendererLike): TerrafuseBridge {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let attached = false;

  const onEvent = (_event: unknown, name: unknown, payload: unknown): void => {
    if (typeof name !== 'string') return;
    for (const listener of [...(listeners.get(name) ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        console.error(`terrafuse: listener of ${name} threw`, err);
      }
    }
  };

  return Object.freeze({
    call(method: string, request: unknown): Promise<CallResult> {
      if (typeof method !== 'string') return Promise.reject(new TypeError('method must be a string'));
      return ipc.invoke(IPC_CALL_CHANNEL, method, request) as Promise<CallResult>;
    },
    on(event: string, listener: (payload: unknown) => void): () => void {
      if (typeof event !== 'string' || typeof listener !== 'function') throw new TypeError('on(event: string, listener: function)');
      if (!attached) {
        ipc.on(IPC_EVENT_CHANNEL, onEvent as (event: unknown, ...args: unknown[]) => void);
        attached = true;
      }
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  });
}
