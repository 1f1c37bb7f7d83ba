import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

/** The three binaries the tfjs wasm package ships; which one loads depends on SIMD/thread support. */
export const WASM_BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

/**
 * Folder (with trailing separator) holding the installed package's .wasm files, found through Node's own module
 * resolution. This works from tsx, a vitest fork and a bundled out/main alike because electron-vite keeps
 * dependencies external, so `require.resolve` always lands in node_modules rather than next to a bundle.
 */
export function wasmBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-backend-wasm');
  // The package's main entry sits in dist/ next to the binaries.
  const folder = dirname(entry);
  const missing = WASM_BINARIES.filter((name) => !existsSync(join(folder, name)));
  if (missing.length > 0) {
    throw new Error(`@tensorflow/tfjs-backend-wasm is installed but ${missing.join(', ')} missing in ${folder}`);
  }
  return folder.endsWith('/') || folder.endsWith('\\') ? folder : `${folder}/`;
}
