import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContractSuite, collect } from './support/contract-suite';
import { makeServeHarness, type ServeHarness } from './support/harness';
import type { ConnectionStatus } from '../../src-main/api/client-types';

runContractSuite('serve', makeServeHarness);

describe('the serve client', () => {
  let h: ServeHarness;
  beforeAll(async () => {
    h = await makeServeHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('reconnects its event stream after the connection drops and keeps delivering events', async () => {
    const statuses: ConnectionStatus[] = [];
    h.client.onStatus((s) => statuses.push(s));
    const progress = collect(h.client, 'job.progress');
    const job = h.services.jobs.start('demo.sleep', { steps: 10_000, stepMs: 20 });
    await progress.until((e) => e.jobId === job.id && (e.step ?? 0) >= 1);

    // Cut every open events socket, as a network drop or a sleeping laptop would.
    const reconnected = new Promise<void>((resolve) => {
      let sawDown = false;
      h.client.onStatus((s) => {
        if (s === 'disconnected') sawDown = true;
        if (s === 'connected' && sawDown) resolve();
      });
    });
    for (const ws of h.sockets) ws.terminate();
    await reconnected;
    expect(statuses).toEqual(['connected', 'disconnected', 'connected']);

    const before = progress.seen.filter((e) => e.jobId === job.id).length;
    await progress.until((e) => e.jobId === job.id && progress.seen.filter((x) => x.jobId === job.id).indexOf(e) >= before);
    h.services.jobs.cancel(job.id);
    await progress.until((e) => e.jobId === job.id && e.state === 'cancelled');
    progress.stop();
  });

  it('turns HTTP failures into ApiErrors: error bodies, bare statuses, malformed answers', async () => {
    const { createServeClient } = await import('../../src-main/api/client-serve');
    const answer = (status: number, body: string) => createServeClient({ baseUrl: 'http://x.invalid', fetch: async () => new Response(body, { status }) });
    await expect(answer(409, '{"code":"conflict","message":"busy"}').call('app.info', {})).rejects.toMatchObject({ code: 'conflict', message: 'busy' });
    await expect(answer(401, 'no').call('app.info', {})).rejects.toMatchObject({ code: 'forbidden' });
    await expect(answer(503, '').call('app.info', {})).rejects.toMatchObject({ code: 'unavailable' });
    await expect(answer(502, '<html>').call('app.info', {})).rejects.toMatchObject({ code: 'internal' });
    await expect(answer(200, '<html>').call('app.info', {})).rejects.toMatchObject({ code: 'internal', message: 'malformed response from app.info' });
  });

  it('calls report an unreachable server as unavailable', async () => {
    const { createServeClient } = await import('../../src-main/api/client-serve');
    const client = createServeClient({ baseUrl: 'http://127.0.0.1:1', token: 'x'.repeat(20) });
    await expect(client.call('app.info', {})).rejects.toMatchObject({ code: 'unavailable' });
  });
});
