import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_RECENT_DATASETS, Settings, SettingsPatch } from '../../api/settings';
import { writeJsonAtomic } from '../../core/fs-atomic';
import type { EventBus } from '../events';

export const SETTINGS_FILE = 'settings.json';

/** The defaults: every field's schema default. */
export function defaultSettings(): Settings {
  return Settings.parse({});
}

/**
 * Reads whatever is in the file as leniently as possible: a field that fails validation falls back to its
 * default instead of throwing away the user's other settings.
 */
export function settingsFromUnknown(raw: unknown): { settings: Settings; rejected: string[] } {
  const whole = Settings.safeParse(raw);
  if (whole.success) return { settings: whole.data, rejected: [] };
  const settings = defaultSettings();
  const rejected: string[] = [];
  const record = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  for (const key of Object.keys(Settings.shape) as (keyof Settings)[]) {
    if (!(key in record)) continue;
    const field = Settings.shape[key].safeParse(record[key]);
    if (field.success) (settings as Record<keyof Settings, unknown>)[key] = field.data;
    else rejected.push(key);
  }
  return { settings, rejected };
}

/**
 * The settings file in the config folder. Updates apply in memory at once (so a following get sees them) and are
 * written atomically one after another, so the file always holds a complete, recent state.
 */
export class SettingsStore {
  private current: Settings;
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    initial: Settings,
    private readonly events?: EventBus,
  ) {
    this.current = initial;
  }

  get file(): string {
    return join(this.dir, SETTINGS_FILE);
  }

  /** Loads the settings of `dir` (defaults when there is no file yet; an unreadable file is kept aside). */
  static async open(dir: string, events?: EventBus): Promise<SettingsStore> {
    const file = join(dir, SETTINGS_FILE);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text === undefined) return new SettingsStore(dir, defaultSettings(), events);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      // Not JSON at all (edited by hand, disk trouble): keep it for the user and start from the defaults.
      const aside = `${file}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(file, aside).catch(() => undefined);
      console.warn(`terrafuse: ${file} is not valid JSON; moved to ${aside}, using default settings`);
      return new SettingsStore(dir, defaultSettings(), events);
    }
    const { settings, rejected } = settingsFromUnknown(raw);
    if (rejected.length) console.warn(`terrafuse: ignoring invalid settings in ${file}: ${rejected.join(', ')}`);
    return new SettingsStore(dir, settings, events);
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  /** Applies a partial update, persists it and announces it (settings.changed); returns the new settings. */
  async update(patch: SettingsPatch): Promise<Settings> {
    const checked = SettingsPatch.parse(patch);
    const next = Settings.parse({ ...this.current, ...checked });
    next.recentDatasets = [...new Set(next.recentDatasets)];
    this.current = next;
    const snapshot = structuredClone(next);
    const write = this.writes.then(async () => {
      await mkdir(this.dir, { recursive: true });
      await writeJsonAtomic(this.file, snapshot);
    });
    // Later updates wait for this write even if it failed; the failure is reported to this caller only.
    this.writes = write.catch(() => undefined);
    await write;
    this.events?.emit('settings.changed', snapshot);
    return structuredClone(snapshot);
  }

  /** Puts a dataset folder first in the recent list (registering it as readable). */
  addRecentDataset(folder: string): Promise<Settings> {
    const others = this.current.recentDatasets.filter((f) => f !== folder);
    return this.update({ recentDatasets: [folder, ...others].slice(0, MAX_RECENT_DATASETS) });
  }

  /** Resolves when every update so far is on disk. */
  async flush(): Promise<void> {
    await this.writes;
  }
}
