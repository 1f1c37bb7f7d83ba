import type { z } from 'zod';
import type { ApiHandlers } from '../api/contract';
import type { OpenFileRequest, OpenFolderRequest, SaveFileRequest } from '../api/dialog';
import { ApiError } from '../api/errors';
import type { PathGuard } from './files/path-guard';
import type { SettingsStore } from './settings/store';

/** Native dialogs, provided by the Electron transport; each resolves to the chosen path or null (cancelled). */
export interface DialogProvider {
  openFolder(request: z.output<typeof OpenFolderRequest>): Promise<string | null>;
  openFile(request: z.output<typeof OpenFileRequest>): Promise<string | null>;
  saveFile(request: z.output<typeof SaveFileRequest>): Promise<string | null>;
}

type DialogHandlers = Pick<ApiHandlers, 'dialog.openFolder' | 'dialog.openFile' | 'dialog.saveFile'>;

/**
 * What the user picks in a native dialog becomes accessible: a dataset folder is registered (recent datasets), a
 * workspace becomes the workspace folder, a chosen file is granted exactly. Without a provider (serve mode) the
 * methods answer `unavailable`.
 */
export function dialogHandlers(deps: { provider?: DialogProvider; settings: SettingsStore; paths: PathGuard }): DialogHandlers {
  const provider = (): DialogProvider => {
    if (!deps.provider) {
      throw new ApiError('unavailable', 'native dialogs exist only in the desktop app; enter a path on the server instead');
    }
    return deps.provider;
  };
  return {
    async 'dialog.openFolder'(request) {
      const path = await provider().openFolder(request);
      if (path !== null) {
        if (request.purpose === 'dataset') await deps.settings.addRecentDataset(path);
        else if (request.purpose === 'workspace') await deps.settings.update({ workspaceFolder: path });
        else deps.paths.registerFolder(path);
      }
      return { path };
    },
    async 'dialog.openFile'(request) {
      const path = await provider().openFile(request);
      if (path !== null) deps.paths.grant(path);
      return { path };
    },
    async 'dialog.saveFile'(request) {
      const path = await provider().saveFile(request);
      if (path !== null) deps.paths.grant(path);
      return { path };
    },
  };
}
