import type { RequestOf, ResponseOf, MethodName } from '../../../src-main/api/contract';
import { SERVE_API_PREFIX } from '../../../src-main/api/wire';
import type { ServeFixture } from './serve';

/**
 * A contract call over serve mode's HTTP API, as a second client next to the page: tests read what the services
 * say (an index, a patch's footprint, a rendered image) to know what the page must show.
 */
export async function callApi<M extends MethodName>(serve: ServeFixture, method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
  const res = await fetch(`${serve.origin}${SERVE_API_PREFIX}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body = (await res.json()) as unknown;
  if (res.status !== 200) throw new Error(`${method}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body as ResponseOf<M>;
}
