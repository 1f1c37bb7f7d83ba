import { readFile } from 'node:fs/promises';
import { resolveStaticFile } from '../static-files';
import { APP_HOST } from './security';

/**
 * The handler of the app scheme (terrafuse://app/...): serves the built renderer with its MIME types and the
 * CSP, refusing everything the static lookup refuses (traversal, dot-files, symlinks out). Returns web Responses,
 * as protocol.handle expects; it needs nothing from Electron, so tests call it directly.
 */
export function createAppProtocolHandler(opts: { rendererDir: string; csp: () => string }) {
  return async (request: { url: string; method?: string }): Promise<Response> => {
    const headers = (type: string): Record<string, string> => ({
      'Content-Type': type,
      'Content-Security-Policy': opts.csp(),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    const text = (status: number, body: string): Response => new Response(body, { status, headers: headers('text/plain; charset=utf-8') });
    if (request.method && request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'method not allowed');
    // The raw path, before WHATWG URL parsing normalises `..` away, so refused paths are refused visibly.
    const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)([^?#]*)/i.exec(request.url);
    if (!match || match[1].toLowerCase() !== APP_HOST) return text(404, 'not found');
    const found = await resolveStaticFile(opts.rendererDir, match[2] || '/');
    if (found.kind !== 'file') {
      const status = found.kind === 'bad_request' ? 400 : found.kind === 'forbidden' ? 403 : 404;
      return text(status, found.reason);
    }
    const body = request.method === 'HEAD' ? null : await readFile(found.path);
    return new Response(body, { status: 200, headers: { ...headers(found.mime), 'Content-Length': String(found.size) } });
  };
}
