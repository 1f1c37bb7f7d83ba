import type { EventName, EventOf, MethodName, RequestOf, ResponseOf } from './contract';
import { ApiError, parseWireError, type ApiErrorCode } from './errors';
import type { ConnectionStatus, TerrafuseClient } from './client-types';
import { SERVE_API_PREFIX, SERVE_EVENTS_PATH, type ServerSocketMessage } from './wire';

/** Callbacks of one event-stream connection. */
export interface SocketHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  /** Called once when the connection ends or fails to open. */
  onClose(): void;
}

/** Opens the events WebSocket; returns a handle to close it. */
export type OpenSocket = (url: string, handlers: SocketHandlers) => { close(): void };

export interface ServeClientOptions {
  /** Origin of the server; default: the page's own origin (the renderer served by `terrafuse serve`). */
  baseUrl?: string;
  /**
   * Sent as `Authorization: Bearer` on API calls (Node clients, tests). Browsers leave it unset: the HttpOnly
   * cookie set by the first page load authenticates them, and page scripts never see the token.
   */
  token?: string;
  fetch?: typeof fetch;
  /** Default: the global WebSocket (which carries the cookie). Node callers pass one that sends the token. */
  openSocket?: OpenSocket;
  /** Reconnect back-off bounds (ms): starts at min, doubles up to max, resets once connected. */
  reconnectDelayMs?: { min: number; max: number };
}

const STATUS_CODE: Record<number, ApiErrorCode> = { 400: 'bad_request', 401: 'forbidden', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'bad_request', 415: 'bad_request', 503: 'unavailable' };

function browserSocket(url: string, handlers: SocketHandlers): { close(): void } {
  const Ctor = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  if (!Ctor) throw new Error('no WebSocket implementation: pass openSocket');
  const ws = new Ctor(url);
  let closed = false;
  const closeOnce = (): void => {
    if (closed) return;
    closed = true;
    handlers.onClose();
  };
  ws.onopen = () => handlers.onOpen();
  ws.onmessage = (ev: MessageEvent) => {
    if (typeof ev.data === 'string') handlers.onMessage(ev.data);
  };
  ws.onclose = closeOnce;
  ws.onerror = closeOnce;
  return { close: () => ws.close() };
}

function defaultBaseUrl(): string {
  const loc = (globalThis as { location?: { origin: string } }).location;
  if (!loc) throw new Error('createServeClient: baseUrl is required outside a browser');
  return loc.origin;
}

/** The typed client of serve mode: fetch for calls, one WebSocket (reconnecting) for events. */
export function createServeClient(opts: ServeClientOptions = {}): TerrafuseClient {
  const base = (opts.baseUrl ?? defaultBaseUrl()).replace(/\/+$/, '');
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const openSocket = opts.openSocket ?? browserSocket;
  const delays = opts.reconnectDelayMs ?? { min: 250, max: 5000 };
  const wsUrl = `${base.replace(/^http/, 'ws')}${SERVE_EVENTS_PATH}`;

  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();
  let status: ConnectionStatus = 'connecting';
  let socket: { close(): void } | undefined;
  let started = false;
  let closed = false;
  let delay = delays.min;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const setStatus = (next: ConnectionStatus): void => {
    if (next === status) return;
    status = next;
    for (const l of [...statusListeners]) l(next);
  };

  const connect = (): void => {
    if (closed) return;
    let open = false;
    const handlers: SocketHandlers = {
      onOpen: () => {
        open = true;
        delay = delays.min;
        setStatus('connected');
      },
      onMessage: (text) => {
        let message: ServerSocketMessage;
        try {
          message = JSON.parse(text) as ServerSocketMessage;
        } catch {
          return;
        }
        if (message.type !== 'event') return;
        for (const l of [...(listeners.get(message.name) ?? [])]) {
          try {
            l(message.payload);
          } catch (err) {
            // One faulty listener must not starve the others of events.
            console.error(`terrafuse client: listener of ${message.name} threw`, err);
          }
        }
      },
      onClose: () => {
        socket = undefined;
        if (closed) return;
        setStatus('disconnected');
        const wait = open ? delays.min : delay;
        delay = Math.min(delays.max, delay * 2);
        timer = setTimeout(connect, wait);
      },
    };
    try {
      socket = openSocket(wsUrl, handlers);
    } catch {
      handlers.onClose();
    }
  };

  const ensureStarted = (): void => {
    if (started || closed) return;
    started = true;
    connect();
  };

  return {
    transport: 'serve',
    async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let res: Response;
      try {
        res = await doFetch(`${base}${SERVE_API_PREFIX}${method}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(request ?? {}),
          credentials: 'same-origin',
        });
      } catch (err) {
        throw new ApiError('unavailable', `cannot reach the Terrafuse server: ${err instanceof Error ? err.message : String(err)}`);
      }
      const text = await res.text();
      if (res.ok) {
        try {
          return JSON.parse(text) as ResponseOf<M>;
        } catch {
          throw new ApiError('internal', `malformed response from ${method}`);
        }
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const fromServer = parseWireError(body);
      if (fromServer) throw fromServer;
      if (res.status === 401) throw new ApiError('forbidden', 'not authorised: open the URL printed by `terrafuse serve` (it carries the access token)');
      throw new ApiError(STATUS_CODE[res.status] ?? 'internal', `HTTP ${res.status} from ${method}`);
    },
    on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void {
      ensureStarted();
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const wrapped = (payload: unknown): void => listener(payload as EventOf<E>);
      set.add(wrapped);
      return () => {
        set.delete(wrapped);
      };
    },
    status: () => status,
    onStatus(listener) {
      ensureStarted();
      statusListeners.add(listener);
      listener(status);
      return () => {
        statusListeners.delete(listener);
      };
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      socket?.close();
      socket = undefined;
      setStatus('disconnected');
    },
  };
}
