import { describe, expect, it } from 'vitest';
import type { EventName, EventOf, MethodName, RequestOf, ResponseOf } from '../../../src-main/api/contract';
import type { TerrafuseClient } from '../../../src-main/api/client';
import { ApiError } from '../../../src-main/api/errors';
import { FLAG_FOCUS, FLAG_SELECTED, FLAG_SHOWN } from '../../../src-renderer/src/lib/map/patch-points/shaders';
import { PatchData, type PatchDataChange } from '../../../src-renderer/src/lib/patches/patch-data.svelte';
import { indexOf, ROWS, summaryFor } from './helpers';

type Handler = (request: unknown) => unknown;

/** A client whose answers the test scripts, recording calls and delivering events on demand. */
function fakeClient(handlers: Partial<Record<MethodName, Handler>>, transport: 'ipc' | 'serve' = 'serve') {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: Array<[MethodName, unknown]> = [];
  const client: TerrafuseClient = {
    transport,
    async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      calls.push([method, request]);
      const h = handlers[method];
      if (!h) throw new ApiError('unavailable', `no handler for ${method}`);
      return (await h(request)) as ResponseOf<M>;
    },
    on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (p: unknown) => void);
    },
    status: () => 'connected',
    onStatus: () => () => undefined,
    close: () => undefined,
  };
  const emit = <E extends EventName>(event: E, payload: EventOf<E>) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  return { client, calls, emit };
}

const index = indexOf(ROWS);
const summary = summaryFor(index, { splits: { train: 3, val: 1, test: 1, none: 1 } });
const list = () => ({ open: [], recent: [{ path: '/data/test', exists: true, datasetId: null }], sample_path: '/ws/samples/s' });

describe('the dataset on the map (PatchData)', () => {
  it('opens a typed folder (registering it), shows indexing progress, loads the index and computes what to draw', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { client, calls, emit } = fakeClient({
      'datasets.list': list,
      'datasets.open': async () => {
        await gate;
        return summary;
      },
      'datasets.index': () => index,
    });
    const data = new PatchData(client);
    data.start();
    const changes: PatchDataChange[] = [];
    data.onChange((c) => changes.push(c));

    const opening = data.openFolder('  /data/test  ');
    expect(data.status).toBe('opening');
    emit('datasets.progress', { path: '/data/test', phase: 'georeference', done: 3, total: 6 });
    expect(data.progress).toMatchObject({ label: 'Placing patches', fraction: 0.5 });
    release();
    expect(await opening).toBe(true);

    expect(calls.find(([m]) => m === 'datasets.open')?.[1]).toEqual({ path: '/data/test', register: true });
    expect(data.status).toBe('ready');
    expect(data.progress).toBeNull();
    expect(changes).toEqual(['data']);
    expect(data.summary?.id).toBe('ds1');
    // Patch e has no place: it is not shown (and not counted) on the map.
    expect(data.shownCount).toBe(5);
    expect(Array.from(data.flags)).toEqual([1, 1, 1, 1, 0, 1].map((s) => (s ? FLAG_SHOWN : 0)));
    expect(data.legend.map((c) => c.label)).toEqual(['Train', 'Validation', 'Test', 'No split']);
    expect(data.facets.label.map((c) => c.code)).toEqual([0, 2, 3, 4]);
    expect(data.recent).toEqual([{ path: '/data/test', exists: true }]);
  });

  it('opens the embedded sample at start when the app was started for use and nothing is open', async () => {
    const appInfo = (openSampleOnStart: boolean) => () => ({ name: 'Terrafuse', version: '0', transport: 'serve', platform: 'linux', openSampleOnStart });
    const sampleSummary = { ...summary, id: 'sample', sample: true };
    const started = fakeClient({
      'app.info': appInfo(true),
      'datasets.list': list,
      'datasets.sample': () => ({ state: 'ready', dataset: sampleSummary }),
      'datasets.index': () => index,
    });
    const data = new PatchData(started.client);
    data.start();
    await expect.poll(() => data.status).toBe('ready');
    expect(data.summary?.id).toBe('sample');

    // A plain `terrafuse serve` (and a dataset already open) leaves the choice to the analyst.
    for (const [flag, open] of [[false, []], [true, [summary]]] as const) {
      const plain = fakeClient({
        'app.info': appInfo(flag),
        'datasets.list': () => ({ ...list(), open }),
        'datasets.sample': () => ({ state: 'ready', dataset: sampleSummary }),
      });
      const idle = new PatchData(plain.client);
      idle.start();
      await new Promise((r) => setTimeout(r, 20));
      expect(plain.calls.map(([m]) => m)).not.toContain('datasets.sample');
      expect(idle.status).toBe('idle');
    }
  });

  it('filters, selects and focuses: flags, counts and ids follow', async () => {
    const { client } = fakeClient({ 'datasets.list': list, 'datasets.open': () => summary, 'datasets.index': () => index });
    const data = new PatchData(client);
    await data.openFolder('/data/test');
    const changes: PatchDataChange[] = [];
    data.onChange((c) => changes.push(c));

    data.select([0, 2, 3], 'replace');
    data.setFilter({ ...data.filter, splits: ['train'] });
    expect(data.shownCount).toBe(3);
    expect(data.selectedCount).toBe(3);
    expect(data.selectedHidden).toBe(2);
    expect(data.flags[0]).toBe(FLAG_SHOWN | FLAG_SELECTED);
    expect(data.flags[2]).toBe(FLAG_SELECTED);
    expect(data.selectedIds()).toEqual(['a', 'c', 'd']);

    data.setFocus(5);
    expect(data.flags[5]).toBe(FLAG_SHOWN | FLAG_FOCUS);
    data.setFocus(1);
    expect(data.flags[5]).toBe(FLAG_SHOWN);
    expect(data.flags[1] & FLAG_FOCUS).toBe(FLAG_FOCUS);

    data.setColourBy('climatezone');
    expect(data.colouring?.attribute).toBe('climatezone');
    data.resetFilter();
    data.selectShown();
    expect(data.selectedCount).toBe(5);
    data.clearSelection();
    expect(data.selectedCount).toBe(0);
    expect(changes).toEqual(['selection', 'filter', 'focus', 'focus', 'colour', 'filter', 'selection', 'selection']);
    expect(data.indexOf('f')).toBe(5);
  });

  it('says why a folder cannot be opened, and keeps the dataset already on the map', async () => {
    let fail = false;
    const { client } = fakeClient({
      'datasets.list': list,
      'datasets.open': () => {
        if (fail) throw new ApiError('bad_request', 'no readable patches in /data/empty: 2 listed (ben-ge)');
        return summary;
      },
      'datasets.index': () => index,
    });
    const data = new PatchData(client);
    await data.openFolder('/data/test');
    fail = true;
    expect(await data.openFolder('/data/empty')).toBe(false);
    expect(data.error).toMatch(/no readable patches/);
    expect(data.status).toBe('ready');
    expect(data.summary?.id).toBe('ds1');
    data.clearError();
    expect(data.error).toBeNull();
  });

  it('generates the sample through its job, with the job\'s progress, then opens it', async () => {
    let generated = false;
    const { client, emit } = fakeClient({
      'datasets.list': list,
      'datasets.sample': () => (generated ? { state: 'ready', dataset: { ...summary, sample: true } } : { state: 'generating', jobId: 'job-1', path: '/ws/samples/s' }),
      'jobs.get': () => ({ id: 'job-1', state: 'running' }),
      'datasets.index': () => index,
    });
    const data = new PatchData(client);
    data.start();
    const loaded = new Promise<void>((resolve) => data.onChange((c) => c === 'data' && resolve()));
    await data.openSample();
    expect(data.status).toBe('generating');
    emit('job.progress', { jobId: 'other', kind: 'train', state: 'running', progress: 0.9 });
    emit('job.progress', { jobId: 'job-1', kind: 'datasets.sample', state: 'running', progress: 0.25, message: '6 / 24 patches' });
    expect(data.progress).toEqual({ label: 'Generating the synthetic sample', fraction: 0.25, detail: '6 / 24 patches' });
    generated = true;
    emit('job.progress', { jobId: 'job-1', kind: 'datasets.sample', state: 'done', progress: 1 });
    await loaded;
    expect(data.status).toBe('ready');
    expect(data.summary?.sample).toBe(true);
  });

  it('opens the folder chosen in the native dialog (desktop) without registering it again', async () => {
    const { client, calls } = fakeClient(
      {
        'datasets.list': list,
        'dialog.openFolder': () => ({ path: '/picked' }),
        'datasets.open': () => summary,
        'datasets.index': () => index,
      },
      'ipc',
    );
    const data = new PatchData(client);
    expect(data.canBrowse).toBe(true);
    expect(await data.browse()).toBe(true);
    expect(calls.find(([m]) => m === 'dialog.openFolder')?.[1]).toMatchObject({ purpose: 'dataset' });
    expect(calls.find(([m]) => m === 'datasets.open')?.[1]).toEqual({ path: '/picked', register: false });
  });
});
