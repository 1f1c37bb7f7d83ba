import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportHandlers } from '../../../src-main/services/files/export-handlers';
import { PathGuard } from '../../../src-main/services/files/path-guard';

// Exports of run outputs through the real PathGuard: a registered workspace, a folder outside it (with a secret),
// and a file "chosen in a save dialog" outside it (granted).
const root = mkdtempSync(join(tmpdir(), 'tf-export-'));
const ws = join(root, 'ws');
const outside = join(root, 'outside');
const run = join(ws, 'run');
mkdirSync(join(run, 'checkpoint'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(run, 'checkpoint', 'model.json'), '{"m":1}');
writeFileSync(join(run, 'checkpoint', 'weights.bin'), Buffer.from([1, 2, 3, 4, 5]));
writeFileSync(join(outside, 'secret.txt'), 'secret');
symlinkSync(join(outside, 'secret.txt'), join(run, 'checkpoint', 'link.txt'));
const mask = join(run, 'mask.tif');
writeFileSync(mask, Buffer.from([0x49, 0x49, 42, 0, 9, 9]));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const context = { transport: 'serve' as const };
function setup() {
  const paths = new PathGuard(() => [{ path: ws, kind: 'workspace' as const }]);
  return { paths, h: exportHandlers(paths) };
}

describe('files.copy', () => {
  it('copies a file inside the registered folders, and to a path granted by a save dialog', async () => {
    const { paths, h } = setup();
    const r = await h['files.copy']({ from: mask, to: join(ws, 'copy.tif') }, context);
    expect(r).toEqual({ path: join(ws, 'copy.tif'), files: 1, bytes: 6 });
    expect(readFileSync(join(ws, 'copy.tif'))).toEqual(readFileSync(mask));
    const chosen = join(outside, 'exported.tif');
    await expect(h['files.copy']({ from: mask, to: chosen }, context)).rejects.toThrow(/outside the registered folders/);
    paths.grant(chosen);
    await h['files.copy']({ from: mask, to: chosen }, context);
    expect(readFileSync(chosen)).toEqual(readFileSync(mask));
  });

  it('copies a model folder as a new folder, without the symlink pointing outside', async () => {
    const { paths, h } = setup();
    paths.registerFolder(outside);
    const r = await h['files.copy']({ from: join(run, 'checkpoint'), to: join(outside, 'model') }, context);
    expect(r).toEqual({ path: join(outside, 'model'), files: 2, bytes: 12 });
    expect(readFileSync(join(outside, 'model', 'model.json'), 'utf8')).toBe('{"m":1}');
    expect(existsSync(join(outside, 'model', 'link.txt'))).toBe(false);
    await expect(h['files.copy']({ from: join(run, 'checkpoint'), to: join(outside, 'model') }, context)).rejects.toThrow(/already exists/);
    await expect(h['files.copy']({ from: run, to: join(run, 'checkpoint', 'again') }, context)).rejects.toThrow(/into itself/);
  });

  it('refuses a source outside the registered folders', async () => {
    const { h } = setup();
    await expect(h['files.copy']({ from: join(outside, 'secret.txt'), to: join(ws, 'stolen.txt') }, context)).rejects.toThrow(/outside/);
    expect(existsSync(join(ws, 'stolen.txt'))).toBe(false);
  });
});

describe('files.read', () => {
  it('returns a small file as base64; refuses folders, files outside, and symlinks that lead outside', async () => {
    const { h } = setup();
    const r = await h['files.read']({ path: mask }, context);
    expect(r.name).toBe('mask.tif');
    expect(Buffer.from(r.base64, 'base64')).toEqual(readFileSync(mask));
    await expect(h['files.read']({ path: run }, context)).rejects.toThrow(/not a file/);
    await expect(h['files.read']({ path: join(outside, 'secret.txt') }, context)).rejects.toThrow(/outside/);
    await expect(h['files.read']({ path: join(run, 'checkpoint', 'link.txt') }, context)).rejects.toThrow(/outside/);
  });
});
