import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TerrafuseClient } from '../../../src-main/api/client';
import type { ApiHandlers, MethodName, RequestOf, ResponseOf } from '../../../src-main/api/contract';
import { apiErrorFromWire } from '../../../src-main/api/errors';
import { dialogHandlers, type DialogProvider } from '../../../src-main/services/dialogs';
import { EventBus } from '../../../src-main/services/events';
import { PathGuard } from '../../../src-main/services/files/path-guard';
import { settingsHandlers } from '../../../src-main/services/settings/handlers';
import { SettingsStore } from '../../../src-main/services/settings/store';
import { createDispatcher } from '../../../src-main/transports/dispatch';
import { SettingsState } from '../../../src-renderer/src/lib/settings/settings-state.svelte';

/**
 * The Settings panel's model against the real settings service: a real store writing settings.json in a temporary
 * config folder, requests validated by the transports' dispatcher, events from the services' bus. Two clients on
 * one bus are two windows (or browser tabs).
 */

let dir: string;
let store: SettingsStore;
let bus: EventBus;
const stopped: Array<() => void> = [];

/** A client as a transport gives it to the renderer: calls through the dispatcher, events from the bus. */
function clientOf(transport: 'ipc' | 'serve', dialogs?: DialogProvider): TerrafuseClient {
  const handlers = {
    ...settingsHandlers(store),
    ...dialogHandlers({ provider: dialogs, settings: store, paths: new PathGuard() }),
  } as ApiHandlers; // only the methods the settings model calls
  const dispatch = createDispatcher(handlers, { transport });
  return {
    transport,
    async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      const result = await dispatch(method, request);
      if (!result.ok) throw apiErrorFromWire(result.error);
      return result.value as ResponseOf<M>;
    },
    on: (event, listener) => bus.on(event, listener),
    status: () => 'connected',
    onStatus: (listener) => {
      listener('connected');
      return () => undefined;
    },
    close: () => undefined,
  };
}

function started(state: SettingsState): SettingsState {
  state.start();
  stopped.push(() => state.dispose());
  return state;
}

function onDisk(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'terrafuse-settings-ui-'));
  bus = new EventBus();
  store = await SettingsStore.open(dir, bus);
});

afterEach(() => {
  for (const stop of stopped.splice(0)) stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Settings panel model', () => {
  it('loads the saved settings and saves a typed workspace folder (tidied) to settings.json', async () => {
    await store.update({ workspaceFolder: '/srv/old', recentDatasets: ['/data/a'] });
    const state = started(new SettingsState(clientOf('serve')));
    await expect.poll(() => state.current?.workspaceFolder).toBe('/srv/old');
    expect(state.workspaceDraft).toBe('/srv/old');
    expect(state.canBrowse).toBe(false);

    state.workspaceDraft = '  /srv/terrafuse-ws/ ';
    expect(state.workspaceDirty).toBe(true);
    expect(await state.saveWorkspace()).toBe(true);
    expect(state.current?.workspaceFolder).toBe('/srv/terrafuse-ws');
    expect(state.workspaceDraft).toBe('/srv/terrafuse-ws');
    expect(state.workspaceDirty).toBe(false);
    expect(state.workspaceError).toBeNull();
    await store.flush();
    expect(onDisk()).toMatchObject({ workspaceFolder: '/srv/terrafuse-ws', recentDatasets: ['/data/a'] });
  });

  it('shows the services’ refusal of a relative or ".." path inline and keeps the saved folder', async () => {
    await store.update({ workspaceFolder: '/srv/ws' });
    const state = started(new SettingsState(clientOf('serve')));
    await expect.poll(() => state.current).not.toBeNull();

    state.workspaceDraft = 'runs/here';
    expect(await state.saveWorkspace()).toBe(false);
    expect(state.workspaceError).toBe('workspaceFolder must be an absolute path: runs/here');
    state.workspaceDraft = '/srv/../etc';
    expect(await state.saveWorkspace()).toBe(false);
    expect(state.workspaceError).toMatch(/may not contain "\.\."/);
    expect(store.get().workspaceFolder).toBe('/srv/ws');
    expect(state.current?.workspaceFolder).toBe('/srv/ws');

    state.workspaceDraft = '   ';
    expect(await state.saveWorkspace()).toBe(false);
    expect(state.workspaceError).toBe('Enter a folder path.');
    state.revertWorkspace();
    expect(state.workspaceDraft).toBe('/srv/ws');
    expect(state.workspaceError).toBeNull();
  });

  it('follows changes made in another window, without overwriting a folder being typed', async () => {
    const here = started(new SettingsState(clientOf('serve')));
    const there = started(new SettingsState(clientOf('serve')));
    await expect.poll(() => here.current !== null && there.current !== null).toBe(true);

    there.workspaceDraft = '/srv/from-there';
    await there.saveWorkspace();
    expect(here.current?.workspaceFolder).toBe('/srv/from-there');
    expect(here.workspaceDraft).toBe('/srv/from-there');

    here.workspaceDraft = '/srv/typing';
    await there.setEngineOverride('cpu');
    there.workspaceDraft = '/srv/again';
    await there.saveWorkspace();
    expect(here.current).toMatchObject({ workspaceFolder: '/srv/again', engineOverride: 'cpu' });
    expect(here.workspaceDraft).toBe('/srv/typing');
    expect(here.workspaceDirty).toBe(true);
  });

  it('saves the engine override and asks engine.info again, in every window, when it changes', async () => {
    const checks: string[] = [];
    const here = started(new SettingsState(clientOf('serve'), { refreshEngine: async () => void checks.push('here') }));
    const there = started(new SettingsState(clientOf('serve'), { refreshEngine: async () => void checks.push('there') }));
    await expect.poll(() => here.current !== null && there.current !== null).toBe(true);

    expect(await here.setEngineOverride('cpu')).toBe(true);
    expect(store.get().engineOverride).toBe('cpu');
    expect(there.current?.engineOverride).toBe('cpu');
    expect(checks.sort()).toEqual(['here', 'there']);

    // An update that leaves the override alone asks nothing.
    await here.removeRecent('/nowhere');
    expect(checks).toHaveLength(2);

    expect(await there.setEngineOverride(null)).toBe(true);
    await store.flush();
    expect(onDisk().engineOverride).toBeNull();
    expect(checks).toHaveLength(4);
  });

  it('says it is checking the engine until the new answer is in', async () => {
    let answer!: () => void;
    const state = started(new SettingsState(clientOf('serve'), { refreshEngine: () => new Promise<void>((r) => (answer = r)) }));
    await expect.poll(() => state.current).not.toBeNull();
    await state.setEngineOverride('wasm');
    expect(state.checkingEngine).toBe(true);
    answer();
    await expect.poll(() => state.checkingEngine).toBe(false);
  });

  it('removes a recent dataset (withdrawing it from settings.json) and tells the lists showing them', async () => {
    await store.update({ recentDatasets: ['/data/a', '/data/b', '/data/c'] });
    let told = 0;
    const state = started(new SettingsState(clientOf('serve'), { recentChanged: () => void (told += 1) }));
    await expect.poll(() => state.current).not.toBeNull();

    expect(await state.removeRecent('/data/b')).toBe(true);
    expect(state.current?.recentDatasets).toEqual(['/data/a', '/data/c']);
    expect(told).toBe(1);
    await store.flush();
    expect(onDisk().recentDatasets).toEqual(['/data/a', '/data/c']);

    // A folder opened elsewhere (the Data panel) reaches the list through settings.changed.
    await store.addRecentDataset('/data/new');
    expect(state.current?.recentDatasets).toEqual(['/data/new', '/data/a', '/data/c']);
    expect(told).toBe(2);
  });

  it('desktop app: the native dialog’s folder becomes the workspace (the services set it); cancel changes nothing', async () => {
    let chosen: string | null = '/home/me/ws';
    const dialogs: DialogProvider = {
      openFolder: async () => chosen,
      openFile: async () => null,
      saveFile: async () => null,
    };
    const state = started(new SettingsState(clientOf('ipc', dialogs)));
    await expect.poll(() => state.current).not.toBeNull();
    expect(state.canBrowse).toBe(true);

    expect(await state.chooseWorkspace()).toBe(true);
    expect(state.current?.workspaceFolder).toBe('/home/me/ws');
    expect(state.workspaceDraft).toBe('/home/me/ws');
    expect(store.get().workspaceFolder).toBe('/home/me/ws');

    chosen = null;
    expect(await state.chooseWorkspace()).toBe(false);
    expect(store.get().workspaceFolder).toBe('/home/me/ws');
    expect(state.workspaceError).toBeNull();
  });

  it('serve mode: choosing through a dialog is refused by the services and the reason shown', async () => {
    const state = started(new SettingsState(clientOf('serve')));
    await expect.poll(() => state.current).not.toBeNull();
    expect(await state.chooseWorkspace()).toBe(false);
    expect(state.workspaceError).toMatch(/native dialogs exist only in the desktop app/);
  });

  it('stops following the services once disposed', async () => {
    const state = new SettingsState(clientOf('serve'));
    state.start();
    await expect.poll(() => state.current).not.toBeNull();
    state.dispose();
    await store.update({ workspaceFolder: '/srv/later' });
    expect(state.current?.workspaceFolder).toBeNull();
  });
});
