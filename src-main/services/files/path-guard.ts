import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ApiError } from '../../api/errors';

/**
 * The one gate between a path that came from a client (renderer, remote browser, CLI argument) and the file
 * system. Only registered folders — the workspace and the datasets the user opened — are reachable:
 *   - a path containing a `..` segment is refused outright (even when it would stay inside),
 *   - a relative path is resolved against a `base` that must itself be inside a registered folder,
 *   - an absolute path must lie inside a registered folder,
 *   - and the real path (symlinks resolved) must still lie inside the real path of a registered folder, so a
 *     symlink cannot lead out.
 * Every service that touches user files resolves paths through here (resolveExisting to read, resolveForWrite to
 * create or replace). A remaining race (a folder swapped for a symlink between check and open) needs write access
 * inside the registered folder, i.e. the user's own account.
 */

export type RootKind = 'workspace' | 'dataset' | 'other';

export interface RegisteredRoot {
  path: string;
  kind: RootKind;
}

/** Supplies registered folders; read on every check, so settings changes take effect at once. */
export type RootProvider = () => Iterable<RegisteredRoot>;

/** True when `child` is `parent` or inside it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  if (rel === '') return true;
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Refuses paths that are malformed or try to climb: empty, NUL bytes, or a `..` segment under either separator
 * (a backslash is a separator on Windows and a trap everywhere else).
 */
export function assertPathSyntax(input: string): void {
  if (typeof input !== 'string' || input.length === 0) throw new ApiError('bad_request', 'empty path');
  if (input.includes('\0')) throw new ApiError('forbidden', 'path contains a NUL byte');
  if (input.split(/[\\/]+/).includes('..')) throw new ApiError('forbidden', `path may not contain "..": ${input}`);
}

async function realOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await realpath(p);
  } catch {
    return undefined;
  }
}

export class PathGuard {
  private readonly providers: RootProvider[] = [];
  /** Exact paths the user chose in a native dialog this session (an export target outside every root). */
  private readonly granted = new Set<string>();

  /** Folders registered for this session only (a folder picked in a dialog for some other purpose). */
  private readonly sessionRoots = new Set<string>();

  constructor(...providers: RootProvider[]) {
    this.providers.push(...providers, () => [...this.sessionRoots].map((path) => ({ path, kind: 'other' as const })));
  }

  /** Registers a folder (and everything below it) until the app quits. */
  registerFolder(path: string): void {
    assertPathSyntax(path);
    if (!isAbsolute(path)) throw new ApiError('bad_request', `not an absolute path: ${path}`);
    this.sessionRoots.add(resolve(path));
  }

  /** Adds a source of registered folders (e.g. the dataset registry of a workspace). */
  addRootProvider(provider: RootProvider): void {
    this.providers.push(provider);
  }

  /** Allows exactly this absolute path (not its folder): for files the user picked in a native dialog. */
  grant(path: string): void {
    assertPathSyntax(path);
    if (!isAbsolute(path)) throw new ApiError('bad_request', `not an absolute path: ${path}`);
    this.granted.add(resolve(path));
  }

  /** The registered folders, absolute and deduplicated (first kind wins). */
  roots(): RegisteredRoot[] {
    const seen = new Map<string, RegisteredRoot>();
    for (const provider of this.providers) {
      for (const root of provider()) {
        if (!root.path || !isAbsolute(root.path)) continue;
        const path = resolve(root.path);
        if (!seen.has(path)) seen.set(path, { path, kind: root.kind });
      }
    }
    return [...seen.values()];
  }

  /** Lexical and real paths of the roots that exist now. */
  private async liveRoots(): Promise<{ lexical: string; real: string }[]> {
    const out: { lexical: string; real: string }[] = [];
    for (const root of this.roots()) {
      const real = await realOrUndefined(root.path);
      if (real !== undefined) out.push({ lexical: root.path, real });
    }
    return out;
  }

  /** The absolute, normalised candidate of (input, base), checked lexically against the roots. */
  private async candidate(input: string, base: string | undefined): Promise<{ path: string; roots: { lexical: string; real: string }[] }> {
    assertPathSyntax(input);
    let path: string;
    if (isAbsolute(input)) {
      path = resolve(input);
    } else {
      if (base === undefined) throw new ApiError('forbidden', `a relative path needs a base folder: ${input}`);
      assertPathSyntax(base);
      if (!isAbsolute(base)) throw new ApiError('forbidden', `the base folder must be absolute: ${base}`);
      path = resolve(base, input);
    }
    const roots = await this.liveRoots();
    const lexicallyInside = roots.some((r) => isInside(r.lexical, path) || isInside(r.real, path));
    if (!lexicallyInside && !this.granted.has(path)) {
      throw new ApiError('forbidden', `outside the registered folders: ${path}`);
    }
    return { path, roots };
  }

  /**
   * The real path of an existing file or folder inside a registered folder. Throws ApiError forbidden (outside,
   * traversal, symlink out) or not_found.
   */
  async resolveExisting(input: string, base?: string): Promise<string> {
    const { path, roots } = await this.candidate(input, base);
    let real: string;
    try {
      real = await realpath(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiError('not_found', `no such file or folder: ${path}`);
      throw new ApiError('forbidden', `cannot access ${path}: ${(err as Error).message}`);
    }
    if (!roots.some((r) => isInside(r.real, real)) && !this.granted.has(path)) {
      throw new ApiError('forbidden', `resolves outside the registered folders (symlink?): ${path}`);
    }
    return real;
  }

  /**
   * Where to write `input`: its folder must exist inside a registered folder (real path), and the target, if it
   * exists, must not be a symlink (writing through it would land elsewhere). Returns the path to write.
   */
  async resolveForWrite(input: string, base?: string): Promise<string> {
    const { path, roots } = await this.candidate(input, base);
    const parentReal = await realOrUndefined(dirname(path));
    if (parentReal === undefined) throw new ApiError('not_found', `the folder does not exist: ${dirname(path)}`);
    const target = join(parentReal, basename(path));
    if (!roots.some((r) => isInside(r.real, target)) && !this.granted.has(path)) {
      throw new ApiError('forbidden', `resolves outside the registered folders (symlink?): ${path}`);
    }
    try {
      if ((await lstat(target)).isSymbolicLink()) throw new ApiError('forbidden', `refusing to write through a symlink: ${path}`);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return target;
  }
}
