import { z } from 'zod';
import { method } from './define';

/**
 * Read access to the folders the user registered (the workspace and opened datasets). Paths are absolute, or
 * relative to `base` (itself inside a registered folder); the services refuse anything that resolves elsewhere.
 */

export const FileKind = z.enum(['file', 'dir', 'other']);

export const FileEntry = z.object({
  name: z.string(),
  kind: FileKind,
  size: z.number().nonnegative(),
  modified: z.string(),
});
export type FileEntry = z.infer<typeof FileEntry>;

export const PathRequest = z.object({
  path: z.string().min(1),
  base: z.string().min(1).optional(),
});

export const FileRoot = z.object({
  path: z.string(),
  kind: z.enum(['workspace', 'dataset', 'other']),
  exists: z.boolean(),
});

export const filesMethods = {
  'files.roots': method(z.object({}), z.object({ roots: z.array(FileRoot) }), 'The registered (readable) folders.'),
  'files.list': method(
    PathRequest,
    z.object({ path: z.string(), entries: z.array(FileEntry) }),
    'The entries of a folder inside a registered folder.',
  ),
  'files.stat': method(PathRequest, FileEntry.extend({ path: z.string() }), 'One file or folder inside a registered folder.'),
  'files.copy': method(
    z.object({ from: z.string().min(1), to: z.string().min(1) }),
    z.object({ path: z.string(), files: z.number().int(), bytes: z.number() }),
    'Copy a file or a folder (exports): both ends inside registered folders or granted by a save dialog.',
  ),
  'files.read': method(
    PathRequest,
    z.object({ path: z.string(), name: z.string(), size: z.number(), base64: z.string() }),
    'A small file (at most 32 MB) as base64: downloads in serve mode.',
  ),
};
