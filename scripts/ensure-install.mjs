#!/usr/bin/env node
// Runs before `npm start` and `npm test` (the prestart/pretest hooks), so a fresh clone needs only those two
// commands: when node_modules is missing or older than package-lock.json, it installs exactly what the lock file
// says (`npm ci`, whose optional Electron/tfjs-node downloads may fail offline without failing the install), and
// otherwise does nothing. Plain Node: it must run before any dependency is there.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Whether the dependencies must be installed: npm writes node_modules/.package-lock.json after every install. */
export function installStatus(root = ROOT) {
  const lock = mtime(join(root, 'package-lock.json'));
  const installed = mtime(join(root, 'node_modules', '.package-lock.json'));
  if (installed === undefined) return { needed: true, reason: 'dependencies are not installed yet' };
  if (lock !== undefined && lock > installed) return { needed: true, reason: 'package-lock.json changed since the last install' };
  return { needed: false };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const status = installStatus();
  if (status.needed) {
    console.log(`terrafuse: ${status.reason} — running npm ci (once)`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['ci'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
    process.exit(r.status ?? 1);
  }
}
