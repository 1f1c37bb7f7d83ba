import { z } from 'zod';
import { method } from './define';

/**
 * Native open/save dialogs. Only the Electron app has them; in serve mode (a browser, maybe on another machine)
 * these answer `unavailable` and the UI asks for a path on the server instead.
 */

export const FileFilter = z.object({ name: z.string(), extensions: z.array(z.string().regex(/^[\w*]+$/)) });

/** The chosen path, or null when the user cancelled. */
export const DialogResult = z.object({ path: z.string().nullable() });
export type DialogResult = z.infer<typeof DialogResult>;

export const OpenFolderRequest = z.object({
  title: z.string().optional(),
  /** A chosen dataset folder is added to the recent datasets, a workspace becomes the workspace folder. */
  purpose: z.enum(['dataset', 'workspace', 'other']),
});
export const OpenFileRequest = z.object({ title: z.string().optional(), filters: z.array(FileFilter).optional() });
export const SaveFileRequest = z.object({
  title: z.string().optional(),
  defaultName: z.string().optional(),
  filters: z.array(FileFilter).optional(),
});

export const dialogMethods = {
  'dialog.openFolder': method(OpenFolderRequest, DialogResult, 'Ask the user for a folder (Electron only).'),
  'dialog.openFile': method(OpenFileRequest, DialogResult, 'Ask the user for a file to open (Electron only).'),
  'dialog.saveFile': method(SaveFileRequest, DialogResult, 'Ask the user where to save (Electron only).'),
};
