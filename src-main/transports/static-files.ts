import { realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isInside } from '../services/files/path-guard';

/**
 * Looks up a file of the built renderer for a request path, for serve mode and the Electron app:// protocol.
 * Refuses anything that is not a plain file below the renderer folder: `..` or `.` segments (raw or
 * percent-encoded), dot-files, backslashes, NUL bytes, symlinks that lead out. A folder is never listed; `/` is
 * index.html.
 */

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.geojson': 'application/geo+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

export function mimeTypeOf(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticLookup =
  | { kind: 'file'; path: string; size: number; mime: string }
  | { kind: 'bad_request' | 'forbidden' | 'not_found'; reason: string };

function badSegments(path: string): boolean {
  return path.split('/').some((seg) => seg === '..' || seg === '.' || seg.startsWith('.'));
}

/** `urlPath`: the path part of the request URL as received (percent-encoded, no query). */
export async function resolveStaticFile(rootDir: string, urlPath: string): Promise<StaticLookup> {
  if (!urlPath.startsWith('/')) return { kind: 'bad_request', reason: 'path must start with /' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'bad_request', reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'forbidden', reason: 'forbidden character' };
  // Checked before and after decoding: `%2e%2e` and `..%2f` must not slip through either way.
  if (badSegments(urlPath) || badSegments(decoded)) return { kind: 'forbidden', reason: 'dot segment' };
  const relative = decoded === '/' ? 'index.html' : decoded.slice(1);
  if (relative.endsWith('/') || relative.includes('//')) return { kind: 'not_found', reason: 'no directory listing' };
  let rootReal: string;
  let real: string;
  try {
    rootReal = await realpath(rootDir);
  } catch {
    return { kind: 'not_found', reason: 'the renderer is not built' };
  }
  try {
    real = await realpath(join(rootReal, relative));
  } catch {
    return { kind: 'not_found', reason: 'no such file' };
  }
  if (!isInside(rootReal, real)) return { kind: 'forbidden', reason: 'outside the renderer folder' };
  const st = await stat(real);
  if (!st.isFile()) return { kind: 'not_found', reason: 'not a file' };
  return { kind: 'file', path: real, size: st.size, mime: mimeTypeOf(real) };
}
