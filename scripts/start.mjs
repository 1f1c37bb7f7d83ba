#!/usr/bin/env node
// `npm start`: builds the app if out/ is missing or older than the sources, then launches the Electron app — or,
// where the Electron runtime or a display is missing (its download fails on offline machines and CI; servers have
// no display), says why in one line and starts serve mode instead, which prints the URL to open.
// Extra arguments are passed to `terrafuse serve` (e.g. `npm start -- --port 8080`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What electron-vite build produces; all must exist. */
export const BUILD_OUTPUTS = [
  'out/main/index.js',
  'out/main/cli.js',
  'out/main/job-worker.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
];
/** What the build reads; any of it newer than the oldest output makes the build stale. */
export const BUILD_INPUTS = ['src-main', 'src-renderer', 'resources', 'electron.vite.config.ts', 'package.json', 'tsconfig.json'];

/** Newest modification time (ms) under the given paths, skipping dot-folders and node_modules. */
export function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) {
        if (name.startsWith('.') || name === 'node_modules') continue;
        visit(join(p, name));
      }
    } else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  for (const p of paths) visit(p);
  return newest;
}

/** Whether `root` needs `electron-vite build`, and why. */
export function buildStatus(root = ROOT) {
  let oldestOutput = Infinity;
  for (const rel of BUILD_OUTPUTS) {
    const file = join(root, rel);
    if (!existsSync(file)) return { needed: true, reason: `${rel} is missing` };
    oldestOutput = Math.min(oldestOutput, statSync(file).mtimeMs);
  }
  const newestInput = newestMtime(BUILD_INPUTS.map((rel) => join(root, rel)));
  if (newestInput > oldestOutput) return { needed: true, reason: 'sources changed since the last build' };
  return { needed: false };
}

/**
 * Whether the Electron runtime can be launched: the package resolves, its path.txt names the binary, and the
 * binary exists (npm keeps the package but not the binary when the download fails in its postinstall).
 */
export function detectElectron({ root = ROOT, resolvePackage } = {}) {
  const resolver = resolvePackage ?? ((id) => createRequire(join(root, 'package.json')).resolve(id));
  let pkgDir;
  try {
    pkgDir = dirname(resolver('electron/package.json'));
  } catch {
    return { ok: false, reason: 'Electron runtime not installed (its download failed)' };
  }
  const pathTxt = join(pkgDir, 'path.txt');
  if (!existsSync(pathTxt)) return { ok: false, reason: 'Electron runtime binary missing (its download failed)' };
  const binary = join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  if (!existsSync(binary)) return { ok: false, reason: `Electron runtime binary missing (${binary})` };
  return { ok: true, binary };
}

/** Whether a GUI can be shown: on Linux (and other X11/Wayland systems) one of the display variables is needed. */
export function detectDisplay(env = process.env, platform = process.platform) {
  if (platform === 'win32' || platform === 'darwin') return { ok: true };
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return { ok: true };
  return { ok: false, reason: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
}

/** Runs a child with our stdio and resolves with its exit code; Ctrl-C goes to the child, which shuts down. */
function runChild(command, args, env = process.env) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (err) => {
      console.error(`terrafuse: could not start ${command}: ${err.message}`);
      done(1);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

async function main(args) {
  if (process.env.TERRAFUSE_SKIP_BUILD !== '1') {
    const status = buildStatus();
    if (status.needed) {
      console.log(`Building Terrafuse (${status.reason})…`);
      const cli = join(dirname(createRequire(import.meta.url).resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
      const build = spawnSync(process.execPath, [cli, 'build'], { cwd: ROOT, stdio: 'inherit' });
      if (build.status !== 0) {
        console.error('terrafuse: the build failed; see above');
        return build.status ?? 1;
      }
    }
  }
  const electron = detectElectron();
  const display = detectDisplay();
  if (electron.ok && display.ok) {
    // ELECTRON_RUN_AS_NODE (set by some tools) would turn the app into a plain Node process.
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    return runChild(electron.binary, ['.'], env);
  }
  console.log(`${electron.ok ? display.reason : electron.reason} — starting serve mode`);
  return runChild(process.execPath, [join(ROOT, 'bin', 'terrafuse.mjs'), 'serve', '--sample', ...args]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
