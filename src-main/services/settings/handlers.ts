import { isAbsolute } from 'node:path';
import type { ApiHandlers } from '../../api/contract';
import { ApiError } from '../../api/errors';
import type { SettingsStore } from './store';

function assertAbsolute(what: string, path: string): void {
  if (!isAbsolute(path)) throw new ApiError('bad_request', `${what} must be an absolute path: ${path}`);
  if (path.split(/[\\/]+/).includes('..')) throw new ApiError('bad_request', `${what} may not contain "..": ${path}`);
}

export function settingsHandlers(store: SettingsStore): Pick<ApiHandlers, 'settings.get' | 'settings.update'> {
  return {
    'settings.get': async () => store.get(),
    'settings.update': async (patch) => {
      // Folders become readable through files.*, so only plain absolute paths are accepted.
      if (patch.workspaceFolder) assertAbsolute('workspaceFolder', patch.workspaceFolder);
      for (const folder of patch.recentDatasets ?? []) assertAbsolute('a recent dataset', folder);
      return store.update(patch);
    },
  };
}
