import type { ApiHandlers } from '../api/contract';
import type { BackendName, EngineInfo } from '../api/engine';
import { ApiError } from '../api/errors';
import type { SettingsStore } from './settings/store';

/**
 * The forced backend: TERRAFUSE_BACKEND (the environment is the more deliberate choice, e.g. a CI job) wins over
 * the setting; undefined lets the ladder choose.
 */
export function engineForce(settings: SettingsStore): BackendName | undefined {
  if (process.env.TERRAFUSE_BACKEND?.trim()) return undefined; // the ladder reads the variable itself
  return settings.get().engineOverride ?? undefined;
}

/**
 * The engine of the main process, brought up on first use (tfjs is loaded lazily so the CLI's --help and the
 * window appear at once). Jobs bring up their own engine in their workers with the same override.
 */
export async function currentEngine(settings: SettingsStore): Promise<EngineInfo> {
  const { initEngine } = await import('../core/engine');
  const force = engineForce(settings);
  try {
    const info = await initEngine(force ? { force } : {});
    if (!info.forced) return info;
    // The status bar tells the user where to undo the choice: a setting is changed in the app, a variable is not.
    return { ...info, forcedBy: force ? 'setting' : 'environment' };
  } catch (err) {
    throw new ApiError('unavailable', err instanceof Error ? err.message : String(err));
  }
}

export function engineHandlers(settings: SettingsStore): Pick<ApiHandlers, 'engine.info'> {
  return {
    'engine.info': () => currentEngine(settings),
  };
}
