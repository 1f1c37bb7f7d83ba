import { z } from 'zod';
import { method } from './define';
import { BackendName } from './engine';

/** How many recently opened datasets are remembered (oldest dropped first). */
export const MAX_RECENT_DATASETS = 12;

/** Where and how big the main window was, restored at the next start (Electron only). */
export const WindowBounds = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(32_000),
  height: z.number().int().min(150).max(32_000),
  maximized: z.boolean(),
});
export type WindowBounds = z.infer<typeof WindowBounds>;

/**
 * The user's settings, persisted as JSON in the config folder. Every field has a default so that a missing or
 * partly written file from an older version still loads.
 */
export const Settings = z.object({
  /** The workspace folder (absolute path), or null before the user picked one. Readable through files.*. */
  workspaceFolder: z.string().nullable().default(null),
  /** Forces a compute backend; null lets the engine ladder choose. TERRAFUSE_BACKEND wins over this. */
  engineOverride: BackendName.nullable().default(null),
  /** The online OpenStreetMap basemap; off by default (offline app, and the CSP only allows tiles when on). */
  basemapOnline: z.boolean().default(false),
  /** Dataset folders the user opened, newest first. Each is a registered (readable) folder. */
  recentDatasets: z.array(z.string()).max(MAX_RECENT_DATASETS).default([]),
  window: WindowBounds.nullable().default(null),
});
export type Settings = z.infer<typeof Settings>;

/** A partial update: only the given fields change; `null` clears a nullable field. */
export const SettingsPatch = z
  .object({
    workspaceFolder: z.string().min(1).nullable(),
    engineOverride: BackendName.nullable(),
    basemapOnline: z.boolean(),
    recentDatasets: z.array(z.string().min(1)).max(MAX_RECENT_DATASETS),
    window: WindowBounds.nullable(),
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const settingsMethods = {
  'settings.get': method(z.object({}), Settings, 'The current settings.'),
  'settings.update': method(SettingsPatch, Settings, 'Change some settings; returns all of them after the change.'),
};

export const settingsEvents = {
  /** Sent after every successful update, to every client (the UI, the CSP of the Electron window). */
  'settings.changed': Settings,
};
