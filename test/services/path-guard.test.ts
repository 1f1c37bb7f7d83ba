import { mkdir, mkdtemp, rm, symlink, writeFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src-main/api/errors';
import { assertPathSyntax, isInside, PathGuard, type RegisteredRoot } from '../../src-main/services/files/path-guard';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err.code;
    throw err;
  }
  return 'ok';
}

describe('the path guard', () => {
  let base: string;
  let ws: string;
  let data: string;
  let outside: string;
  let roots: RegisteredRoot[];
  let guard: PathGuard;

  beforeAll(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'terrafuse-guard-')));
    ws = join(base, 'ws');
    data = join(base, 'data');
    outside = join(base, 'outside');
    for (const d of [join(ws, 'runs'), data, outside, join(base, 'ws-evil')]) await mkdir(d, { recursive: true });
    await writeFile(join(ws, 'runs', 'metrics.json'), '{}');
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await writeFile(join(base, 'ws-evil', 'x.txt'), 'prefix trick');
    await symlink(outside, join(ws, 'link-out'));
    await symlink(join(ws, 'runs'), join(ws, 'link-in'));
    await symlink(join(outside, 'secret.txt'), join(ws, 'runs', 'file-link-out'));
    // A registered folder reached through a symlink (e.g. /home -> /usr/home) still works.
    await symlink(data, join(base, 'data-alias'));
    await writeFile(join(data, 'patch.tif'), 'tif');
    roots = [
      { path: ws, kind: 'workspace' },
      { path: join(base, 'data-alias'), kind: 'dataset' },
    ];
    guard = new PathGuard(() => roots);
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('resolves paths inside registered folders, absolute or relative to a base inside them', async () => {
    expect(await guard.resolveExisting(join(ws, 'runs', 'metrics.json'))).toBe(join(ws, 'runs', 'metrics.json'));
    expect(await guard.resolveExisting('runs/metrics.json', ws)).toBe(join(ws, 'runs', 'metrics.json'));
    expect(await guard.resolveExisting(ws)).toBe(ws);
    expect(await guard.resolveExisting(join(ws, 'link-in', 'metrics.json'))).toBe(join(ws, 'runs', 'metrics.json'));
    expect(await guard.resolveExisting(join(base, 'data-alias', 'patch.tif'))).toBe(join(data, 'patch.tif'));
    expect(await guard.resolveExisting(join(data, 'patch.tif'))).toBe(join(data, 'patch.tif'));
  });

  it('refuses .., paths outside, symlinks out, sibling prefixes, relative paths without a base', async () => {
    const refused: [string, string | undefined][] = [
      [join(ws, '..', 'outside', 'secret.txt'), undefined],
      [`${ws}/runs/../../outside/secret.txt`, undefined],
      ['../outside/secret.txt', ws],
      ['runs\\..\\..\\outside\\secret.txt', ws],
      [join(outside, 'secret.txt'), undefined],
      [join(ws, 'link-out', 'secret.txt'), undefined],
      [join(ws, 'link-out'), undefined],
      [join(ws, 'runs', 'file-link-out'), undefined],
      [join(base, 'ws-evil', 'x.txt'), undefined],
      ['runs/metrics.json', undefined],
      ['secret.txt', outside],
      ['metrics.json', 'runs'],
      ['/etc/passwd', undefined],
      [`${ws}/runs/metrics.json\0.png`, undefined],
    ];
    for (const [input, b] of refused) {
      expect(await codeOf(guard.resolveExisting(input, b)), `${input} (base ${b})`).toBe('forbidden');
      expect(await codeOf(guard.resolveForWrite(input, b)), `write ${input} (base ${b})`).toBe('forbidden');
    }
    expect(await codeOf(guard.resolveExisting(join(ws, 'nope.txt')))).toBe('not_found');
    expect(await codeOf(guard.resolveExisting(''))).toBe('bad_request');
  });

  it('resolves write targets: new files in existing folders, never through a symlink', async () => {
    expect(await guard.resolveForWrite(join(ws, 'runs', 'new.json'))).toBe(join(ws, 'runs', 'new.json'));
    expect(await guard.resolveForWrite('runs/metrics.json', ws)).toBe(join(ws, 'runs', 'metrics.json'));
    expect(await guard.resolveForWrite(join(ws, 'link-in', 'new.json'))).toBe(join(ws, 'runs', 'new.json'));
    expect(await codeOf(guard.resolveForWrite(join(ws, 'missing', 'new.json')))).toBe('not_found');
    expect(await codeOf(guard.resolveForWrite(join(ws, 'link-out', 'new.json')))).toBe('forbidden');
  });

  it('follows the registered folders as they change, plus session grants', async () => {
    expect(await codeOf(guard.resolveExisting(join(outside, 'secret.txt')))).toBe('forbidden');
    roots.push({ path: outside, kind: 'dataset' });
    expect(await guard.resolveExisting(join(outside, 'secret.txt'))).toBe(join(outside, 'secret.txt'));
    roots.pop();
    expect(await codeOf(guard.resolveExisting(join(outside, 'secret.txt')))).toBe('forbidden');

    const other = new PathGuard(() => []);
    other.grant(join(outside, 'export.tif'));
    expect(await other.resolveForWrite(join(outside, 'export.tif'))).toBe(join(outside, 'export.tif'));
    expect(await codeOf(other.resolveForWrite(join(outside, 'other.tif')))).toBe('forbidden');
    other.registerFolder(outside);
    expect(await other.resolveExisting('secret.txt', outside)).toBe(join(outside, 'secret.txt'));
    expect(other.roots()).toEqual([{ path: outside, kind: 'other' }]);
    expect(() => other.registerFolder('relative')).toThrow(ApiError);
  });

  it('syntax and containment helpers', () => {
    expect(() => assertPathSyntax('a/../b')).toThrow(/\.\./);
    expect(() => assertPathSyntax('a\\..\\b')).toThrow(/\.\./);
    expect(() => assertPathSyntax('..')).toThrow();
    expect(() => assertPathSyntax('a/..b/c..')).not.toThrow();
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b/c')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
    expect(isInside('/a/b', '/a/b/..c')).toBe(true);
  });
});
