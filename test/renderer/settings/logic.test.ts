import { describe, expect, it } from 'vitest';
import { AppInfo } from '../../../src-main/api/app';
import { BackendName, EngineInfo } from '../../../src-main/api/engine';
import { initEngine } from '../../../src-main/core/engine';
import { aboutRows } from '../../../src-renderer/src/lib/settings/about';
import { choiceKey, engineAgreement, LADDER, rungStatus } from '../../../src-renderer/src/lib/settings/engine-choice';
import { folderPathInput } from '../../../src-renderer/src/lib/settings/folder-path';
import { recentEntries, withoutRecent } from '../../../src-renderer/src/lib/settings/recent';

/** The Settings panel's pure helpers: engine choices and what engine.info says, paths, recent folders, About. */

/** An engine.info answer as the ladder gives it on a machine without libtensorflow (validated by the contract). */
const automatic: EngineInfo = EngineInfo.parse({
  backend: 'wasm',
  package: '@tensorflow/tfjs-backend-wasm',
  version: '4.22.0',
  forced: false,
  skipped: [
    { backend: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu', reason: 'not installed' },
    { backend: 'tensorflow', package: '@tensorflow/tfjs-node', reason: 'libtensorflow missing' },
  ],
  details: {},
});

describe('engine choices', () => {
  it('lists the contract’s backends in the ladder’s order, plus Automatic', () => {
    expect([...LADDER]).toEqual(BackendName.options);
    expect(choiceKey(null)).toBe('auto');
    expect(choiceKey('cpu')).toBe('cpu');
  });

  it('reads each rung’s fate from engine.info: in use, skipped with the reason, or not reached', () => {
    expect(rungStatus('wasm', automatic)).toEqual({ kind: 'in-use' });
    expect(rungStatus('tensorflow', automatic)).toEqual({ kind: 'skipped', reason: 'libtensorflow missing' });
    expect(rungStatus('cpu', automatic)).toEqual({ kind: 'not-reached' });
  });

  it('reads the real ladder’s answer when a backend is forced (rungs above it are reported as passed over)', async () => {
    const info = await initEngine({ force: 'wasm', threads: 1 });
    expect(rungStatus('wasm', info)).toEqual({ kind: 'in-use' });
    const gpu = rungStatus('tensorflow-gpu', info);
    expect(gpu.kind).toBe('skipped');
    expect(gpu.kind === 'skipped' && gpu.reason).toMatch(/forced to wasm/);
    expect(rungStatus('cpu', info)).toEqual({ kind: 'not-reached' });
    expect(engineAgreement('wasm', info, null)).toEqual({ kind: 'forced', backend: 'wasm' });
  });

  it('tells apart: automatic, forced by the setting, forced by TERRAFUSE_BACKEND, unavailable, not yet known', () => {
    const forcedCpu: EngineInfo = { ...automatic, backend: 'cpu', package: '@tensorflow/tfjs-core', forced: true };
    expect(engineAgreement(null, automatic, null)).toEqual({ kind: 'automatic', backend: 'wasm' });
    expect(engineAgreement('cpu', forcedCpu, null)).toEqual({ kind: 'forced', backend: 'cpu' });
    // Forced although the setting says Automatic, or forced to another backend than the setting's: the environment.
    expect(engineAgreement(null, forcedCpu, null)).toEqual({ kind: 'environment', backend: 'cpu', override: null });
    expect(engineAgreement('wasm', forcedCpu, null)).toEqual({ kind: 'environment', backend: 'cpu', override: 'wasm' });
    // An override saved but engine.info still unforced: an answer from before the change.
    expect(engineAgreement('cpu', automatic, null)).toEqual({ kind: 'unknown' });
    expect(engineAgreement(null, null, null)).toEqual({ kind: 'unknown' });
    // engine.info failed after forcing a backend that cannot start: the failure wins over the stale answer.
    expect(engineAgreement('tensorflow', automatic, 'forced backend tensorflow is unavailable')).toEqual({
      kind: 'unavailable',
      override: 'tensorflow',
      reason: 'forced backend tensorflow is unavailable',
    });
    expect(engineAgreement(null, automatic, 'connection lost')).toEqual({ kind: 'unknown' });
  });
});

describe('folder path input', () => {
  it('trims blanks and trailing separators, keeps roots whole, refuses an empty field', () => {
    expect(folderPathInput('  /data/ws/  ')).toEqual({ path: '/data/ws' });
    expect(folderPathInput('C:\\Users\\me\\ws\\')).toEqual({ path: 'C:\\Users\\me\\ws' });
    expect(folderPathInput('/')).toEqual({ path: '/' });
    expect(folderPathInput('///')).toEqual({ path: '/' });
    expect(folderPathInput('D:\\')).toEqual({ path: 'D:\\' });
    expect(folderPathInput('relative/ws')).toEqual({ path: 'relative/ws' }); // the services decide (and refuse it)
    expect(folderPathInput('   ')).toEqual({ error: 'Enter a folder path.' });
  });
});

describe('recent datasets', () => {
  it('removes one folder and keeps the order of the others', () => {
    expect(withoutRecent(['/a', '/b', '/c'], '/b')).toEqual(['/a', '/c']);
    expect(withoutRecent(['/a'], '/x')).toEqual(['/a']);
  });

  it('names each folder and marks those the services reported missing', () => {
    const entries = recentEntries(['/data/ben-ge/', '/gone/s2', '/new'], [
      { path: '/gone/s2', exists: false },
      { path: '/data/ben-ge/', exists: true },
    ]);
    expect(entries).toEqual([
      { path: '/data/ben-ge/', name: 'ben-ge', missing: false },
      { path: '/gone/s2', name: 's2', missing: true },
      { path: '/new', name: 'new', missing: false },
    ]);
  });
});

describe('About', () => {
  const app: AppInfo = AppInfo.parse({ name: 'Terrafuse', version: '0.3.1', transport: 'serve', platform: 'linux', openSampleOnStart: false });

  it('shows name, version, transport, the services’ platform and the engine', () => {
    const rows = Object.fromEntries(aboutRows(app, automatic, null).map((r) => [r.label, r.value]));
    expect(rows).toEqual({
      Application: 'Terrafuse',
      Version: '0.3.1',
      Transport: 'Serve mode (browser, HTTP + WebSocket)',
      'Server platform': 'linux',
      Engine: 'wasm (@tensorflow/tfjs-backend-wasm 4.22.0)',
    });
    const desktop = aboutRows({ ...app, transport: 'ipc' }, null, 'forced backend cpu is unavailable');
    expect(desktop.map((r) => r.label)).toContain('Platform');
    expect(desktop.find((r) => r.label === 'Transport')?.value).toBe('Desktop app (IPC)');
    expect(desktop.find((r) => r.label === 'Engine')?.value).toBe('unavailable: forced backend cpu is unavailable');
  });

  it('shows placeholders until app.info and engine.info answer', () => {
    const rows = aboutRows(null, null, null);
    expect(rows.find((r) => r.label === 'Application')?.value).toBe('Terrafuse');
    expect(rows.filter((r) => r.value === '…').map((r) => r.label)).toEqual(['Version', 'Transport', 'Platform', 'Engine']);
  });
});
