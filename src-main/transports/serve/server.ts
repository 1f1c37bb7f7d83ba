import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiHandlers } from '../../api/contract';
import type { ApiErrorCode } from '../../api/errors';
import { SERVE_API_PREFIX, SERVE_EVENTS_PATH, type ServerSocketMessage } from '../../api/wire';
import type { EventSink } from '../../services/events';
import { buildCsp } from '../csp';
import { createDispatcher } from '../dispatch';
import { resolveStaticFile } from '../static-files';
import { generateToken, ServeAuth, tokenEquals } from './auth';
import { readBody } from './body';

/**
 * Serve mode: the built renderer and the API over HTTP + WebSocket, for a browser on this machine or (with
 * --host, through an SSH tunnel preferably) on another. Everything — the page included — requires the token.
 */

/** What the server needs of the services (createServices() provides it). */
export interface ServeBackend {
  handlers: ApiHandlers;
  events: { subscribe(sink: EventSink): () => void };
  settings: { get(): { basemapOnline: boolean } };
}

export interface ServeServerOptions {
  /** Default 127.0.0.1. Anything not loopback is reported in `warnings`. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  services: ServeBackend;
  /** Default: 32 random bytes, base64url. */
  token?: string;
  /** Largest accepted request body; default 1 MiB. */
  maxBodyBytes?: number;
}

export interface ServeServer {
  /** The URL to open: http://HOST:PORT/?token=... */
  url: string;
  /** http://HOST:PORT */
  origin: string;
  host: string;
  port: number;
  token: string;
  /** Things the user should be told (a non-loopback host). */
  warnings: string[];
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** A client this far behind on events is dropped; it reconnects and re-reads state. */
const MAX_SOCKET_BACKLOG = 16 * 1024 * 1024;
const HEARTBEAT_MS = 30_000;

const HTTP_STATUS: Record<ApiErrorCode, number> = {
  bad_request: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  cancelled: 409,
  internal: 500,
  unavailable: 503,
};

/** True for names and addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

export function serveWarnings(host: string): string[] {
  if (isLoopbackHost(host)) return [];
  return [
    `warning: serving on ${host}, reachable from other machines. Anyone who obtains the token can use this ` +
      `Terrafuse (run jobs, read the registered folders), and plain HTTP is readable on the network. Prefer the ` +
      `default 127.0.0.1 with an SSH tunnel (ssh -L PORT:127.0.0.1:PORT host).`,
  ];
}

/** A Host header we are willing to echo into headers (CSP, Origin comparison). */
function hostHeader(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  return typeof host === 'string' && /^[A-Za-z0-9.\-:[\]]{1,260}$/.test(host) ? host : undefined;
}

/** The server's own origin as the browser sees it (the Host it addressed). */
function ownOrigin(req: IncomingMessage): string | undefined {
  const host = hostHeader(req);
  return host ? `http://${host}` : undefined;
}

function splitUrl(raw: string): { pathname: string; query: URLSearchParams } {
  const q = raw.indexOf('?');
  return { pathname: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

export async function startServeServer(opts: ServeServerOptions): Promise<ServeServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? generateToken();
  // The token travels in a URL and a cookie: keep it to characters that need no escaping in either.
  if (!/^[A-Za-z0-9_-]{16,256}$/.test(token)) throw new Error('the serve token must be 16-256 characters of [A-Za-z0-9_-]');
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const dispatch = createDispatcher(opts.services.handlers, { transport: 'serve' });
  let auth: ServeAuth | undefined;

  const securityHeaders = (req: IncomingMessage): OutgoingHttpHeaders => {
    const h = hostHeader(req);
    return {
      'Content-Security-Policy': buildCsp({
        basemapOnline: opts.services.settings.get().basemapOnline,
        connectSources: h ? [`ws://${h}`] : [],
      }),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), bluetooth=()',
      'Cache-Control': 'no-store',
    };
  };

  const sendText = (req: IncomingMessage, res: ServerResponse, status: number, text: string, extra: OutgoingHttpHeaders = {}): void => {
    const body = Buffer.from(`${text}\n`, 'utf8');
    res.writeHead(status, { ...securityHeaders(req), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length, ...extra });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const sendJson = (req: IncomingMessage, res: ServerResponse, status: number, value: unknown, extra: OutgoingHttpHeaders = {}): void => {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    res.writeHead(status, { ...securityHeaders(req), 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length, ...extra });
    res.end(body);
  };

  const sendError = (req: IncomingMessage, res: ServerResponse, status: number, code: ApiErrorCode, message: string, extra: OutgoingHttpHeaders = {}): void =>
    sendJson(req, res, status, { code, message }, extra);

  const unauthorized = (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    const message = 'not authorised: open the URL printed by `terrafuse serve` (it carries the access token)';
    if (pathname.startsWith(SERVE_API_PREFIX)) sendError(req, res, 401, 'forbidden', message, { 'WWW-Authenticate': 'Bearer' });
    else sendText(req, res, 401, `401 Unauthorized — ${message}`, { 'WWW-Authenticate': 'Bearer' });
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, method: string): Promise<void> => {
    if (req.method !== 'POST') return sendError(req, res, 405, 'bad_request', 'API methods are called with POST', { Allow: 'POST' });
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== ownOrigin(req)) return sendError(req, res, 403, 'forbidden', 'cross-origin request refused');
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      return sendError(req, res, 415, 'bad_request', 'send the request as Content-Type: application/json');
    }
    const body = await readBody(req, maxBody);
    if (!body.ok) return sendError(req, res, body.status, 'bad_request', body.reason, body.status === 413 ? { Connection: 'close' } : {});
    let request: unknown = {};
    if (body.text.trim() !== '') {
      try {
        request = JSON.parse(body.text);
      } catch (err) {
        return sendError(req, res, 400, 'bad_request', `malformed JSON: ${(err as Error).message}`);
      }
    }
    const result = await dispatch(method, request);
    if (result.ok) sendJson(req, res, 200, result.value);
    else sendJson(req, res, HTTP_STATUS[result.error.code], result.error);
  };

  const handleStatic = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(req, res, 405, '405 Method Not Allowed', { Allow: 'GET, HEAD' });
    const found = await resolveStaticFile(opts.rendererDir, pathname);
    if (found.kind !== 'file') {
      if (found.reason === 'the renderer is not built') {
        return sendText(req, res, 503, '503 — the renderer is not built yet: run `npm run build`');
      }
      const status = found.kind === 'bad_request' ? 400 : found.kind === 'forbidden' ? 403 : 404;
      return sendText(req, res, status, `${status} ${found.reason}`);
    }
    res.writeHead(200, { ...securityHeaders(req), 'Content-Type': found.mime, 'Content-Length': found.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(found.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = req.url ?? '/';
    if (!raw.startsWith('/')) return sendText(req, res, 400, '400 Bad Request');
    const { pathname, query } = splitUrl(raw);
    const offered = query.get('token');
    if (offered !== null) {
      // The page load from the printed URL: trade the token for the cookie and drop it from the address bar.
      if ((req.method === 'GET' || req.method === 'HEAD') && tokenEquals(offered, token) && auth) {
        query.delete('token');
        const rest = query.toString();
        const location = (pathname.startsWith('//') ? '/' : pathname) + (rest ? `?${rest}` : '');
        res.writeHead(302, { ...securityHeaders(req), 'Set-Cookie': auth.setCookieHeader(), Location: location, 'Content-Length': 0 });
        res.end();
        return;
      }
      return unauthorized(req, res, pathname);
    }
    if (!auth?.check(req)) return unauthorized(req, res, pathname);
    if (pathname === SERVE_EVENTS_PATH) return sendError(req, res, 426, 'bad_request', 'the event stream is a WebSocket', { Upgrade: 'websocket' });
    if (pathname.startsWith(SERVE_API_PREFIX)) return handleApi(req, res, pathname.slice(SERVE_API_PREFIX.length));
    return handleStatic(req, res, pathname);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('terrafuse serve: request failed:', err);
      if (!res.headersSent) sendError(req, res, 500, 'internal', 'internal error');
      else res.destroy();
    });
  });
  // A client that opens connections and sends nothing must not hold them forever.
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;

  // --- events over WebSocket -------------------------------------------------------------------------------------
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();
  const alive = new WeakMap<WebSocket, boolean>();

  const rejectUpgrade = (socket: Duplex, status: number, text: string): void => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const { pathname } = splitUrl(req.url ?? '/');
    if (pathname !== SERVE_EVENTS_PATH) return rejectUpgrade(socket, 404, 'Not Found');
    const how = auth?.check(req);
    if (!how) return rejectUpgrade(socket, 401, 'Unauthorized');
    // Browsers always send Origin on WebSockets, and a page of another site must not ride on our cookie. Programs
    // (no Origin) must authenticate with the bearer token, which a foreign page cannot attach.
    const origin = req.headers.origin;
    if (origin !== undefined ? origin !== ownOrigin(req) : how !== 'bearer') return rejectUpgrade(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => ws.terminate());
      // Clients have nothing to say on this socket; anything they send is ignored.
      ws.on('message', () => undefined);
      ws.send(JSON.stringify({ type: 'hello', server: 'terrafuse' } satisfies ServerSocketMessage));
    });
  });

  const unsubscribe = opts.services.events.subscribe((name, payload) => {
    if (clients.size === 0) return;
    const text = JSON.stringify({ type: 'event', name, payload } satisfies ServerSocketMessage);
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_SOCKET_BACKLOG) ws.terminate();
      else ws.send(text);
    }
  });

  const heartbeat = setInterval(() => {
    for (const ws of clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    clearInterval(heartbeat);
    unsubscribe();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  auth = new ServeAuth(token, `terrafuse_${port}`);
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const shown = wildcard ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const origin = `http://${shown}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    host,
    port,
    token,
    warnings: serveWarnings(host),
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        unsubscribe();
        for (const ws of clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
