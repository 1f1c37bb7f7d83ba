import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Access control of serve mode: one random token per server start. The browser presents it once in the URL
 * (?token=...), gets it back as an HttpOnly SameSite=Strict cookie and then never sees it again (page scripts
 * cannot read HttpOnly cookies); programs send `Authorization: Bearer <token>`.
 */

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Constant-time comparison. Hashing first gives both sides the same length, so neither the content nor the
 * length of the secret leaks through timing.
 */
export function tokenEquals(candidate: string, token: string): boolean {
  return timingSafeEqual(digest(candidate), digest(token));
}

/** Parses a Cookie header into name → value (first occurrence wins, as browsers send the most specific first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const raw of header.split(';')) {
    const part = raw.trim();
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

export class ServeAuth {
  constructor(
    readonly token: string,
    /** Cookies are shared by every port of a host: the port in the name keeps two servers apart. */
    readonly cookieName: string,
  ) {}

  /** 'cookie' or 'bearer' when the request carries the right token, undefined otherwise. */
  check(req: IncomingMessage): 'cookie' | 'bearer' | undefined {
    const auth = req.headers.authorization;
    if (typeof auth === 'string') {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (match && tokenEquals(match[1], this.token)) return 'bearer';
    }
    const cookie = parseCookies(req.headers.cookie).get(this.cookieName);
    if (cookie !== undefined && tokenEquals(cookie, this.token)) return 'cookie';
    return undefined;
  }

  setCookieHeader(): string {
    return `${this.cookieName}=${this.token}; HttpOnly; SameSite=Strict; Path=/`;
  }
}
