import type { TerrafuseClient } from '../../../src-main/api/client';
import type { MethodName, RequestOf, ResponseOf } from '../../../src-main/api/contract';
import { ApiError } from '../../../src-main/api/errors';

/** A contract client answering from `handlers` (others: `unavailable`), recording every call for the test to read. */
export function clientWith(handlers: Partial<Record<MethodName, (r: unknown) => unknown>>, transport: 'ipc' | 'serve' = 'serve') {
  const calls: Array<[MethodName, unknown]> = [];
  const client: TerrafuseClient = {
    transport,
    async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      calls.push([method, request]);
      const h = handlers[method];
      if (!h) throw new ApiError('unavailable', `no handler for ${method}`);
      return (await h(request)) as ResponseOf<M>;
    },
    on: () => () => undefined,
    status: () => 'connected',
    onStatus: () => () => undefined,
    close: () => undefined,
  };
  return { client, calls };
}
