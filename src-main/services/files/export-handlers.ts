import { copyFile, cp, lstat, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import type { ApiHandlers } from '../../api/contract';
import { ApiError } from '../../api/errors';
import type { PathGuard } from './path-guard';

/**
 * Exports: copying run outputs (mask GeoTIFFs, CSV/GeoJSON, a model folder) to where the user chose, and reading a
 * small file whole for a browser download in serve mode. Both ends go through the PathGuard: the source must be
 * inside a registered folder, the target inside one or granted by a native save dialog.
 */

/** files.read is for downloads of single outputs; bigger files are copied on the server instead. */
export const MAX_READ_BYTES = 32 * 1024 * 1024;

function inside(parent: string, child: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** Files and bytes under a folder (symlinks are not followed: they are not copied). */
async function tally(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const name of await readdir(dir)) {
    const p = join(dir, name);
    const st = await lstat(p);
    if (st.isDirectory()) {
      const t = await tally(p);
      files += t.files;
      bytes += t.bytes;
    } else if (st.isFile()) {
      files++;
      bytes += st.size;
    }
  }
  return { files, bytes };
}

export function exportHandlers(paths: PathGuard): Pick<ApiHandlers, 'files.copy' | 'files.read'> {
  return {
    async 'files.copy'({ from, to }) {
      const src = await paths.resolveExisting(from);
      const st = await stat(src);
      if (st.isDirectory()) {
        // A folder lands as a new folder: the target's parent may be a folder the user just chose (registered).
        const dest = await paths.resolveForWrite(to);
        if (inside(src, dest)) throw new ApiError('bad_request', `cannot copy ${src} into itself`);
        if (await lstat(dest).then(() => true, () => false)) throw new ApiError('conflict', `already exists: ${dest}`);
        await mkdir(dirname(dest), { recursive: true });
        // Symlinks inside the folder are skipped: they may point outside the registered folders.
        await cp(src, dest, { recursive: true, errorOnExist: true, force: false, filter: async (p) => !(await lstat(p)).isSymbolicLink() });
        const t = await tally(dest);
        return { path: dest, ...t };
      }
      if (!st.isFile()) throw new ApiError('bad_request', `not a file or folder: ${from}`);
      const dest = await paths.resolveForWrite(to);
      if (dest === src) throw new ApiError('bad_request', `source and target are the same file: ${src}`);
      // A save dialog already asked about overwriting; a typed path inside a registered folder may overwrite too.
      await copyFile(src, dest);
      return { path: dest, files: 1, bytes: st.size };
    },
    async 'files.read'({ path, base }) {
      const real = await paths.resolveExisting(path, base);
      const st = await stat(real);
      if (!st.isFile()) throw new ApiError('bad_request', `not a file: ${path}`);
      if (st.size > MAX_READ_BYTES) throw new ApiError('bad_request', `${basename(real)} is ${st.size} bytes, more than ${MAX_READ_BYTES} to download; copy it on the server instead`);
      const bytes = await readFile(real);
      return { path: real, name: basename(real), size: bytes.length, base64: bytes.toString('base64') };
    },
  };
}
