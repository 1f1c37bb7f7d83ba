import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; text: string } | { ok: false; status: 413 | 400; reason: string };

/**
 * Reads a request body of at most `limit` bytes. A body over the limit is drained (up to `drainLimit`) and then
 * answered 413, so the client reliably receives the status instead of a reset connection; a sender going on past
 * `drainLimit` is cut off.
 */
export function readBody(req: IncomingMessage, limit: number, drainLimit = limit * 16): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > drainLimit) {
      resolve({ ok: false, status: 413, reason: `body of ${declared} bytes exceeds ${limit}` });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult): void => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > drainLimit) {
        settle({ ok: false, status: 413, reason: `body exceeds ${limit} bytes` });
        req.destroy();
      }
    });
    req.on('end', () => {
      if (size > limit) settle({ ok: false, status: 413, reason: `body exceeds ${limit} bytes` });
      else settle({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    });
    req.on('error', () => settle({ ok: false, status: 400, reason: 'the request body could not be read' }));
    req.on('aborted', () => settle({ ok: false, status: 400, reason: 'the request was aborted' }));
  });
}
