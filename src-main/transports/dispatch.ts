import { z } from 'zod';
import { isMethodName, methods, type ApiHandlers, type CallContext } from '../api/contract';
import { ApiError, type ApiErrorShape } from '../api/errors';
import type { CallResult } from '../api/wire';

/** One call from any transport: a method name and an untrusted request, answered with a CallResult. */
export type Dispatch = (method: string, request: unknown) => Promise<CallResult>;

export interface DispatchOptions {
  /** Told about unexpected errors (bugs) with their stack; the client only gets the message. */
  onInternalError?(method: string, err: unknown): void;
}

/** Maps anything thrown by a handler to the wire shape. */
export function toErrorShape(err: unknown): ApiErrorShape {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  if (err instanceof z.ZodError) return { code: 'bad_request', message: z.prettifyError(err) };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/**
 * The transport-independent half of every transport: checks the method exists, validates the request against the
 * contract (the boundary: nothing unvalidated reaches a service), runs the handler and validates its answer (so a
 * service bug is reported as such, not shipped to the renderer).
 */
export function createDispatcher(handlers: ApiHandlers, context: CallContext, opts: DispatchOptions = {}): Dispatch {
  const report = opts.onInternalError ?? ((method, err) => console.error(`terrafuse: ${method} failed:`, err));
  return async (method, request) => {
    if (typeof method !== 'string' || !isMethodName(method)) {
      return { ok: false, error: { code: 'not_found', message: `unknown method: ${String(method).slice(0, 100)}` } };
    }
    const spec = methods[method];
    const parsed = spec.request.safeParse(request);
    if (!parsed.success) {
      return { ok: false, error: { code: 'bad_request', message: `invalid request for ${method}: ${z.prettifyError(parsed.error)}` } };
    }
    let value: unknown;
    try {
      const handler = handlers[method] as (request: unknown, context: CallContext) => Promise<unknown>;
      value = await handler(parsed.data, context);
    } catch (err) {
      const shape = toErrorShape(err);
      if (shape.code === 'internal') report(method, err);
      return { ok: false, error: shape };
    }
    const checked = spec.response.safeParse(value);
    if (!checked.success) {
      report(method, checked.error);
      return { ok: false, error: { code: 'internal', message: `${method} produced an invalid response` } };
    }
    return { ok: true, value: checked.data };
  };
}
