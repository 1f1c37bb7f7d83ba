import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentEngine, engineForce } from '../../src-main/services/engine';
import { SettingsStore } from '../../src-main/services/settings/store';
import { forcedText } from '../../src-renderer/src/lib/format/engine';

/**
 * engine.info says where a forced backend came from, so the status bar can send the user to the right place to
 * undo it. The unit setup already runs on a forced wasm engine; forcing wasm again reuses it (no ladder re-run).
 */
const dirs: string[] = [];
const saved = process.env.TERRAFUSE_BACKEND;

afterEach(() => {
  if (saved === undefined) delete process.env.TERRAFUSE_BACKEND;
  else process.env.TERRAFUSE_BACKEND = saved;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function settingsWith(engineOverride: 'wasm' | null): Promise<SettingsStore> {
  const dir = mkdtempSync(join(tmpdir(), 'tf-engine-service-'));
  dirs.push(dir);
  const store = await SettingsStore.open(dir);
  await store.update({ engineOverride });
  return store;
}

describe('engine service', () => {
  it('reports a backend forced in Settings as forced by the setting', async () => {
    delete process.env.TERRAFUSE_BACKEND;
    const settings = await settingsWith('wasm');
    expect(engineForce(settings)).toBe('wasm');
    const info = await currentEngine(settings);
    expect(info).toMatchObject({ backend: 'wasm', forced: true, forcedBy: 'setting' });
    expect(forcedText(info)).toBe('forced in Settings');
  });

  it('reports TERRAFUSE_BACKEND as the source when the environment forces, even over a setting', async () => {
    process.env.TERRAFUSE_BACKEND = 'wasm';
    const settings = await settingsWith('wasm');
    expect(engineForce(settings)).toBeUndefined();
    const info = await currentEngine(settings);
    expect(info).toMatchObject({ backend: 'wasm', forced: true, forcedBy: 'environment' });
    expect(forcedText(info)).toBe('forced by TERRAFUSE_BACKEND');
  });
});
