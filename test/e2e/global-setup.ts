import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH } from './support/chromium';

/**
 * Before any end-to-end test: Debian's Chromium must be there, and out/renderer must hold a build of the current
 * sources (the tests serve that folder exactly as `terrafuse serve` does). Rebuilds only the renderer, through
 * electron-vite's own renderer configuration, so the e2e run does not depend on the main-process bundles.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RENDERER_OUT = join(ROOT, 'out', 'renderer');

/** What ends up in the renderer bundle: a change in any of these makes the build stale. */
const BUNDLE_INPUTS = ['src-renderer', 'src-main/api', 'electron.vite.config.ts', 'package.json', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file shows up as a newer directory
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function rendererBuildIsStale(): boolean {
  const index = join(RENDERER_OUT, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return BUNDLE_INPUTS.some((p) => newestMtime(join(ROOT, p)) > built);
}

async function buildRenderer(): Promise<void> {
  const { resolveConfig } = await import('electron-vite');
  const { build } = await import('vite');
  // resolveConfig applies electron-vite's renderer presets (base './', targets, outDir) to our config's renderer part.
  const resolved = await resolveConfig({ root: ROOT, logLevel: 'warn' }, 'build', 'production');
  const renderer = resolved.config?.renderer;
  if (!renderer) throw new Error('electron.vite.config.ts has no renderer section');
  await build({ ...renderer, configFile: false, logLevel: 'warn' });
  if (!existsSync(join(RENDERER_OUT, 'index.html'))) {
    throw new Error(`renderer build finished but ${RENDERER_OUT}/index.html is missing (outDir changed?)`);
  }
}

export default async function setup(): Promise<void> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `End-to-end tests need Debian's Chromium at ${CHROMIUM_PATH}, which is missing. ` +
        `Install it with \`sudo apt-get install chromium\` (.ci/run does this), or run only the unit tests: ` +
        `npx vitest run --project unit`,
    );
  }
  if (rendererBuildIsStale()) {
    process.stdout.write('e2e: building the renderer into out/renderer …\n');
    await buildRenderer();
  }
}
