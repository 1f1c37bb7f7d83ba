import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TerrafuseClient } from '../../../src-main/api/client-types';
import type { EventName, EventOf, MethodName } from '../../../src-main/api/contract';
import { EngineInfo } from '../../../src-main/api/engine';
import { ApiError } from '../../../src-main/api/errors';
import { SettingsStore } from '../../../src-main/services/settings/store';
import type { Harness } from './harness';

const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Collects one event stream; `until` resolves with the first (past or future) event matching the predicate. */
export function collect<E extends EventName>(client: TerrafuseClient, name: E) {
  const seen: EventOf<E>[] = [];
  const waiters: { pred: (e: EventOf<E>) => boolean; resolve: (e: EventOf<E>) => void }[] = [];
  const off = client.on(name, (payload) => {
    seen.push(payload);
    for (const w of [...waiters]) {
      if (w.pred(payload)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(payload);
      }
    }
  });
  return {
    seen,
    until(pred: (e: EventOf<E>) => boolean, what = `${name} event`, timeoutMs = 60_000): Promise<EventOf<E>> {
      const past = seen.find(pred);
      if (past) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
        waiters.push({
          pred,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
    stop: off,
  };
}

/** The ApiError a call rejects with (fails the test if it resolves). */
export async function callError(client: TerrafuseClient, method: string, request: unknown): Promise<ApiError> {
  try {
    await client.call(method as MethodName, request as never);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error(`${method} unexpectedly succeeded`);
}

/**
 * The contract's behaviour, identical whichever transport carries it. Each transport's test file calls this with
 * its harness factory; everything here goes through the client, as the renderer would.
 */
export function runContractSuite(transport: 'ipc' | 'serve', makeHarness: () => Promise<Harness>): void {
  describe(`the API contract over ${transport}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('app.info names the app, its package version and this transport', async () => {
      const info = await h.client.call('app.info', {});
      expect(info).toEqual({ name: 'Terrafuse', version: pkg.version, transport, platform: process.platform, openSampleOnStart: false });
    });

    it('engine.info returns what the service reports, intact', async () => {
      const viaTransport = await h.client.call('engine.info', {});
      const direct = await h.services.handlers['engine.info']({}, { transport });
      expect(EngineInfo.parse(viaTransport)).toEqual(viaTransport);
      expect(viaTransport).toEqual(direct);
      for (const skip of viaTransport.skipped) expect(skip.reason.length).toBeGreaterThan(0);
    });

    it('refuses unknown methods (not_found) and invalid requests (bad_request)', async () => {
      expect((await callError(h.client, 'no.such.method', {})).code).toBe('not_found');
      expect((await callError(h.client, 'settings.update', { basemapOnline: 'yes' })).code).toBe('bad_request');
      expect((await callError(h.client, 'settings.update', { colour: 'red' })).code).toBe('bad_request');
      expect((await callError(h.client, 'jobs.get', {})).code).toBe('bad_request');
      // Still answering after the refusals.
      expect((await h.client.call('app.info', {})).name).toBe('Terrafuse');
    });

    it('settings: defaults, update, settings.changed event, persisted to the config folder', async () => {
      const before = await h.client.call('settings.get', {});
      expect(before).toMatchObject({ basemapOnline: false, engineOverride: null, recentDatasets: [] });
      const changed = collect(h.client, 'settings.changed');
      const after = await h.client.call('settings.update', { basemapOnline: true, engineOverride: 'cpu' });
      expect(after.basemapOnline).toBe(true);
      expect(after.engineOverride).toBe('cpu');
      const event = await changed.until((s) => s.basemapOnline === true);
      expect(event.engineOverride).toBe('cpu');
      changed.stop();
      const reopened = await SettingsStore.open(h.sandbox.configDir);
      expect(reopened.get()).toMatchObject({ basemapOnline: true, engineOverride: 'cpu' });
      await h.client.call('settings.update', { basemapOnline: false, engineOverride: null });
      expect((await h.client.call('settings.get', {})).engineOverride).toBeNull();
    });

    it('settings refuse relative or climbing folder paths', async () => {
      expect((await callError(h.client, 'settings.update', { workspaceFolder: 'relative/ws' })).code).toBe('bad_request');
      expect((await callError(h.client, 'settings.update', { workspaceFolder: `${h.sandbox.workspace}/../outside` })).code).toBe(
        'bad_request',
      );
    });

    it('files: the workspace is readable once registered, nothing outside it is', async () => {
      const { workspace, outside, secret } = h.sandbox;
      // Not registered yet: refused.
      expect((await callError(h.client, 'files.list', { path: workspace })).code).toBe('forbidden');
      await h.client.call('settings.update', { workspaceFolder: workspace });
      const roots = await h.client.call('files.roots', {});
      expect(roots.roots).toContainEqual({ path: workspace, kind: 'workspace', exists: true });
      const listing = await h.client.call('files.list', { path: workspace });
      expect(listing.entries.map((e) => [e.name, e.kind])).toEqual([
        ['escape', 'other'], // a symlink out of the workspace is listed but not followed
        ['notes.txt', 'file'],
        ['runs', 'dir'],
      ]);
      const note = await h.client.call('files.stat', { path: 'notes.txt', base: workspace });
      expect(note).toMatchObject({ kind: 'file', size: 'inside the workspace\n'.length });

      const refused = [
        { path: `${workspace}/../outside/secret.txt` },
        { path: '../outside/secret.txt', base: workspace },
        { path: secret },
        { path: outside },
        { path: join(workspace, 'escape', 'secret.txt') },
        { path: join(workspace, 'escape') },
        { path: 'notes.txt' }, // relative without a base
        { path: 'secret.txt', base: outside },
        { path: `runs\\..\\..\\outside\\secret.txt`, base: workspace },
      ];
      for (const request of refused) {
        const err = await callError(h.client, 'files.stat', request);
        expect(err.code, JSON.stringify(request)).toBe('forbidden');
        expect(err.message).not.toContain('TOP-SECRET');
      }
      // An encoded `..` is just an odd file name here: it does not exist, and nothing outside is reached.
      expect((await callError(h.client, 'files.stat', { path: '%2e%2e/outside/secret.txt', base: workspace })).code).toBe('not_found');
    });

    it('native dialogs: register the chosen folder (desktop) or answer unavailable (serve)', async () => {
      if (!h.dialogs) {
        expect((await callError(h.client, 'dialog.openFolder', { purpose: 'dataset' })).code).toBe('unavailable');
        return;
      }
      h.dialogs.answers.push(h.sandbox.outside, null);
      const chosen = await h.client.call('dialog.openFolder', { purpose: 'dataset' });
      expect(chosen.path).toBe(h.sandbox.outside);
      expect((await h.client.call('settings.get', {})).recentDatasets[0]).toBe(h.sandbox.outside);
      // The dataset folder the user picked is now readable.
      expect((await h.client.call('files.stat', { path: h.sandbox.secret })).kind).toBe('file');
      expect(await h.client.call('dialog.saveFile', { defaultName: 'x.tif' })).toEqual({ path: null });
      expect(h.dialogs.asked).toEqual(['openFolder:dataset', 'saveFile']);
      await h.client.call('settings.update', { recentDatasets: [] });
    });

    it('jobs: progress and log events stream to the client until done; list and get show the result', async () => {
      const progress = collect(h.client, 'job.progress');
      const logs = collect(h.client, 'job.log');
      const job = h.services.jobs.start('demo.sleep', { steps: 6, stepMs: 15 }, { label: 'demo' });
      const done = await progress.until((e) => e.jobId === job.id && e.state === 'done', 'the demo job to finish');
      const mine = progress.seen.filter((e) => e.jobId === job.id);
      expect(mine.some((e) => e.state === 'running')).toBe(true);
      const values = mine.map((e) => e.progress);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(done).toMatchObject({ kind: 'demo.sleep', progress: 1, step: 6, epoch: 2 });
      await logs.until((l) => l.jobId === job.id && l.message === 'step 6 of 6', 'the last log line');
      progress.stop();
      logs.stop();

      const { jobs } = await h.client.call('jobs.list', {});
      expect(jobs.find((j) => j.id === job.id)).toMatchObject({ state: 'done', label: 'demo', result: { steps: 6, thread: 'worker' } });
      const detail = await h.client.call('jobs.get', { jobId: job.id });
      expect(detail.log.map((l) => l.message)).toContain('step 1 of 6');
      expect((await callError(h.client, 'jobs.get', { jobId: 'job-nope' })).code).toBe('not_found');
    });

    it('jobs: a failing job ends failed with its error', async () => {
      const progress = collect(h.client, 'job.progress');
      const job = h.services.jobs.start('demo.sleep', { steps: 5, stepMs: 5, failAt: 2 });
      const failed = await progress.until((e) => e.jobId === job.id && e.state !== 'queued' && e.state !== 'running');
      progress.stop();
      expect(failed.state).toBe('failed');
      expect((await h.client.call('jobs.get', { jobId: job.id })).error).toContain('demo failure at step 2');
    });

    it('jobs.cancel stops a running job', async () => {
      const progress = collect(h.client, 'job.progress');
      const job = h.services.jobs.start('demo.sleep', { steps: 10_000, stepMs: 20 });
      await progress.until((e) => e.jobId === job.id && (e.step ?? 0) >= 1, 'the job to make progress');
      const answer = await h.client.call('jobs.cancel', { jobId: job.id });
      expect(answer.state).toBe('running'); // asked to stop; the outcome follows as an event
      const end = await progress.until((e) => e.jobId === job.id && ['done', 'failed', 'cancelled'].includes(e.state), 'the job to stop');
      progress.stop();
      expect(end.state).toBe('cancelled');
      expect((await h.client.call('jobs.get', { jobId: job.id })).state).toBe('cancelled');
    });

    it('a client that reconnects finds a running job and follows it again', async () => {
      const first = collect(h.client, 'job.progress');
      const job = h.services.jobs.start('demo.sleep', { steps: 10_000, stepMs: 20 }, { label: 'long' });
      await first.until((e) => e.jobId === job.id && (e.step ?? 0) >= 1);
      first.stop();
      h.client.close();

      h.client = await h.newClient();
      const { jobs } = await h.client.call('jobs.list', {});
      const seenAgain = jobs.find((j) => j.id === job.id);
      expect(seenAgain).toMatchObject({ state: 'running', label: 'long' });
      const again = collect(h.client, 'job.progress');
      await again.until((e) => e.jobId === job.id && (e.step ?? 0) > (seenAgain?.step ?? 0), 'progress after reconnecting');
      await h.client.call('jobs.cancel', { jobId: job.id });
      expect((await again.until((e) => e.jobId === job.id && e.state === 'cancelled')).state).toBe('cancelled');
      again.stop();
    });
  });
}
