import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import type { ApiHandlers } from '../../api/contract';
import type { FileEntry } from '../../api/files';
import { ApiError } from '../../api/errors';
import type { PathGuard } from './path-guard';

/** Folders with more entries than this are cut (the UI pages through datasets, never through raw listings). */
const MAX_ENTRIES = 10_000;

function entryOf(name: string, st: Stats): FileEntry {
  return {
    name,
    kind: st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other',
    size: st.isFile() ? st.size : 0,
    modified: st.mtime.toISOString(),
  };
}

type FilesHandlers = Pick<ApiHandlers, 'files.roots' | 'files.list' | 'files.stat'>;

export function filesHandlers(paths: PathGuard): FilesHandlers {
  return {
    async 'files.roots'() {
      const roots = [];
      for (const root of paths.roots()) {
        const exists = await stat(root.path).then((s) => s.isDirectory(), () => false);
        roots.push({ ...root, exists });
      }
      return { roots };
    },
    async 'files.list'({ path, base }) {
      const real = await paths.resolveExisting(path, base);
      const st = await stat(real);
      if (!st.isDirectory()) throw new ApiError('bad_request', `not a folder: ${path}`);
      const names = (await readdir(real)).sort().slice(0, MAX_ENTRIES);
      const entries: FileEntry[] = [];
      for (const name of names) {
        // A symlink inside the folder that points out of the registered folders is listed as 'other', unread.
        try {
          const target = await paths.resolveExisting(join(real, name));
          entries.push(entryOf(name, await stat(target)));
        } catch {
          entries.push({ name, kind: 'other', size: 0, modified: new Date(0).toISOString() });
        }
      }
      return { path: real, entries };
    },
    async 'files.stat'({ path, base }) {
      const real = await paths.resolveExisting(path, base);
      const st = await stat(real);
      return { path: real, ...entryOf(real.split(/[\\/]/).pop() ?? real, st) };
    },
  };
}
