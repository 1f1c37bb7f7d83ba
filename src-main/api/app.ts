import { z } from 'zod';
import { method } from './define';

export const AppInfo = z.object({
  name: z.literal('Terrafuse'),
  version: z.string(),
  /** How this client reaches the services: 'ipc' inside Electron, 'serve' from a browser. */
  transport: z.enum(['ipc', 'serve']),
  platform: z.string(),
  /**
   * The app was started to be used right away (`npm start`, the desktop app): when no dataset is open, the renderer
   * opens the embedded synthetic sample. False for a plain `terrafuse serve` and in tests.
   */
  openSampleOnStart: z.boolean(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appMethods = {
  'app.info': method(z.object({}), AppInfo, 'Application name, version and transport.'),
};

/**
 * A menu item of the Electron window was chosen. The main process handles the native part (the open dialogs,
 * the about box) and tells the renderer what happened so it can react (load the dataset, show the export panel).
 */
export const MenuAction = z.enum(['openDataset', 'openWorkspace', 'export', 'toggleLayers', 'togglePanels']);
export type MenuAction = z.infer<typeof MenuAction>;

export const appEvents = {
  'app.menu': z.object({
    action: MenuAction,
    /** The folder chosen in the dialog, for openDataset / openWorkspace. */
    path: z.string().optional(),
  }),
};
