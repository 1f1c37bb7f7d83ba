import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_RECENT_DATASETS } from '../../src-main/api/settings';
import { EventBus } from '../../src-main/services/events';
import { defaultConfigDir } from '../../src-main/services/settings/config-dir';
import { defaultSettings, SETTINGS_FILE, SettingsStore } from '../../src-main/services/settings/store';

describe('the config folder', () => {
  it('is TERRAFUSE_CONFIG_DIR when set, else the platform convention', () => {
    expect(defaultConfigDir({ TERRAFUSE_CONFIG_DIR: '/tmp/tf-config' }, 'linux', '/home/u')).toBe('/tmp/tf-config');
    expect(defaultConfigDir({}, 'linux', '/home/u')).toBe('/home/u/.config/terrafuse');
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/u')).toBe('/xdg/terrafuse');
    // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
    expect(defaultConfigDir({ XDG_CONFIG_HOME: 'rel/xdg' }, 'linux', '/home/u')).toBe('/home/u/.config/terrafuse');
    expect(defaultConfigDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Terrafuse');
    expect(defaultConfigDir({ APPDATA: 'C:/Users/u/AppData/Roaming' }, 'win32', 'C:/Users/u')).toMatch(/AppData[\\/]Roaming[\\/]Terrafuse$/);
  });
});

describe('the settings store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'terrafuse-settings-')), 'config');
  });
  afterEach(async () => {
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('starts from the defaults without a file, and creates the folder on the first update', async () => {
    const store = await SettingsStore.open(dir);
    expect(store.get()).toEqual({ workspaceFolder: null, engineOverride: null, basemapOnline: false, recentDatasets: [], window: null });
    await store.update({ basemapOnline: true, workspaceFolder: '/data/ws' });
    const onDisk = JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8'));
    expect(onDisk).toMatchObject({ basemapOnline: true, workspaceFolder: '/data/ws' });
    const again = await SettingsStore.open(dir);
    expect(again.get()).toEqual(store.get());
  });

  it('announces every change on the event bus', async () => {
    const events = new EventBus();
    const seen: unknown[] = [];
    events.on('settings.changed', (s) => seen.push(s));
    const store = await SettingsStore.open(dir, events);
    await store.update({ engineOverride: 'cpu' });
    expect(seen).toEqual([{ ...defaultSettings(), engineOverride: 'cpu' }]);
  });

  it('keeps the file whole and last-write-wins under many concurrent updates, leaving no temp files', async () => {
    const store = await SettingsStore.open(dir);
    const updates = Array.from({ length: 25 }, (_, i) => store.update({ window: { x: i, y: i, width: 800 + i, height: 600, maximized: i % 2 === 0 } }));
    await Promise.all(updates);
    const onDisk = JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8'));
    expect(onDisk.window).toEqual({ x: 24, y: 24, width: 824, height: 600, maximized: true });
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]);
  });

  it('remembers recent datasets newest first, without duplicates, at most MAX_RECENT_DATASETS', async () => {
    const store = await SettingsStore.open(dir);
    for (let i = 0; i < MAX_RECENT_DATASETS + 3; i++) await store.addRecentDataset(`/data/set-${i}`);
    await store.addRecentDataset('/data/set-5');
    const recent = store.get().recentDatasets;
    expect(recent).toHaveLength(MAX_RECENT_DATASETS);
    expect(recent[0]).toBe('/data/set-5');
    expect(recent[1]).toBe(`/data/set-${MAX_RECENT_DATASETS + 2}`);
    expect(new Set(recent).size).toBe(recent.length);
    await store.update({ recentDatasets: ['/a', '/b', '/a'] });
    expect(store.get().recentDatasets).toEqual(['/a', '/b']);
  });

  it('rejects invalid updates and leaves the settings unchanged', async () => {
    const store = await SettingsStore.open(dir);
    await expect(store.update({ engineOverride: 'cuda' } as never)).rejects.toThrow();
    await expect(store.update({ unknownKey: 1 } as never)).rejects.toThrow();
    expect(store.get()).toEqual(defaultSettings());
  });

  it('keeps the valid fields of a partly invalid file', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, SETTINGS_FILE), JSON.stringify({ basemapOnline: true, engineOverride: 'quantum', recentDatasets: '/not-a-list', workspaceFolder: '/ws' }));
    const store = await SettingsStore.open(dir);
    expect(store.get()).toMatchObject({ basemapOnline: true, engineOverride: null, recentDatasets: [], workspaceFolder: '/ws' });
  });

  it('sets an unreadable file aside and starts from the defaults', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, SETTINGS_FILE), '{"basemapOnline": tru');
    const store = await SettingsStore.open(dir);
    expect(store.get()).toEqual(defaultSettings());
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^settings\.json\.unreadable-/);
    expect(await readFile(join(dir, files[0]), 'utf8')).toBe('{"basemapOnline": tru');
  });
});
