import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_OUTPUTS, buildStatus, detectDisplay, detectElectron } from '../../scripts/start.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm start: what it detects', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'terrafuse-start-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('an Electron package that is absent, lacks its binary, or is complete', async () => {
    expect(
      detectElectron({
        resolvePackage: () => {
          throw new Error("Cannot find module 'electron/package.json'");
        },
      }),
    ).toEqual({ ok: false, reason: 'Electron runtime not installed (its download failed)' });

    const pkg = join(dir, 'node_modules', 'electron');
    await mkdir(join(pkg, 'dist'), { recursive: true });
    await writeFile(join(pkg, 'package.json'), '{"name":"electron"}');
    const resolvePackage = () => join(pkg, 'package.json');
    expect(detectElectron({ resolvePackage })).toEqual({ ok: false, reason: 'Electron runtime binary missing (its download failed)' });
    await writeFile(join(pkg, 'path.txt'), 'electron');
    expect(detectElectron({ resolvePackage })).toMatchObject({ ok: false, reason: expect.stringContaining('binary missing') });
    await writeFile(join(pkg, 'dist', 'electron'), '');
    expect(detectElectron({ resolvePackage })).toEqual({ ok: true, binary: join(pkg, 'dist', 'electron') });
  });

  it('a display on Linux only with DISPLAY or WAYLAND_DISPLAY; always on Windows and macOS', () => {
    expect(detectDisplay({}, 'linux')).toEqual({ ok: false, reason: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)' });
    expect(detectDisplay({ DISPLAY: ':0' }, 'linux')).toEqual({ ok: true });
    expect(detectDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'freebsd')).toEqual({ ok: true });
    expect(detectDisplay({}, 'win32')).toEqual({ ok: true });
    expect(detectDisplay({}, 'darwin')).toEqual({ ok: true });
  });

  it('a build that is missing, current, or older than the sources', async () => {
    const root = join(dir, 'project');
    await mkdir(join(root, 'src-main'), { recursive: true });
    await writeFile(join(root, 'src-main', 'a.ts'), 'x');
    expect(buildStatus(root)).toEqual({ needed: true, reason: 'out/main/index.js is missing' });
    const past = new Date(Date.now() - 60_000);
    await utimes(join(root, 'src-main', 'a.ts'), past, past);
    for (const rel of BUILD_OUTPUTS) {
      await mkdir(join(root, rel, '..'), { recursive: true });
      await writeFile(join(root, rel), '');
    }
    expect(buildStatus(root)).toEqual({ needed: false });
    const future = new Date(Date.now() + 60_000);
    await utimes(join(root, 'src-main', 'a.ts'), future, future);
    expect(buildStatus(root)).toEqual({ needed: true, reason: 'sources changed since the last build' });
  });
});

describe('npm start without Electron or a display', () => {
  it('says why in one line, then starts serve mode and prints the URL; Ctrl-C stops it cleanly', async () => {
    const config = await mkdtemp(join(tmpdir(), 'terrafuse-start-config-'));
    const env: NodeJS.ProcessEnv = { ...process.env, TERRAFUSE_SKIP_BUILD: '1', TERRAFUSE_CONFIG_DIR: config };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
    const lines: string[] = [];
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          lines.push(line);
          const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(line);
          if (match) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`start.mjs exited (${code}) before printing a URL: ${lines.join('\n')} ${stderr.join('')}`)));
      });
      const electron = detectElectron();
      const expectedReason = electron.ok ? (detectDisplay({}, process.platform) as { reason: string }).reason : electron.reason;
      expect(lines).toEqual([`${expectedReason} — starting serve mode`, `Terrafuse serve mode: ${url}`]);
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
      expect((await fetch(new URL('/', url))).status).toBe(401);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(config, { recursive: true, force: true });
    }
  });
});
