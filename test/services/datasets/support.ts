/** Shared set-up of the datasets service tests: services in a temp config dir, called through the contract. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodName, RequestOf, ResponseOf } from '../../../src-main/api/contract';
import { ApiError } from '../../../src-main/api/errors';
import { createServices, type Services, type ServicesOptions } from '../../../src-main/services';
import { createDispatcher } from '../../../src-main/transports/dispatch';

export interface Harness {
  services: Services;
  root: string;
  /** Calls a method as a transport would: request and response validated against the contract. */
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
}

export async function harness(opts: Partial<ServicesOptions> & { root?: string } = {}): Promise<Harness> {
  const root = opts.root ?? (await mkdtemp(join(tmpdir(), 'tf-datasets-')));
  const services = await createServices({ configDir: join(root, 'config'), ...opts });
  const dispatch = createDispatcher(services.handlers, { transport: 'serve' }, { onInternalError: (m, err) => console.error(m, err) });
  return {
    services,
    root,
    async call(method, request) {
      const r = await dispatch(method, request);
      if (!r.ok) throw new ApiError(r.error.code, r.error.message);
      return r.value as ResponseOf<typeof method>;
    },
  };
}
