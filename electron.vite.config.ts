import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// electron-vite derives its Node/Chrome build targets from the installed `electron` package. The Electron
// runtime is an optional dependency (its binary download fails on offline machines and CI), so when the package
// is absent we tell electron-vite the major version we pin instead of letting it crash on a missing module.
const pkg = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as {
  optionalDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
if (!process.env.ELECTRON_MAJOR_VER) {
  const match = /(\d+)/.exec(pkg.optionalDependencies.electron ?? '');
  if (match) process.env.ELECTRON_MAJOR_VER = match[1];
}

export default defineConfig({
  main: {
    // Dependencies stay in node_modules. Development tools too: the CLI's `bench` command drives vite and
    // Chromium (playwright-core) for the map workload and must not drag them into the bundle.
    plugins: [externalizeDepsPlugin({ include: Object.keys(pkg.devDependencies) })],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          // Electron main process (window, IPC transport).
          index: resolve(__dirname, 'src-main/transports/electron/main.ts'),
          // The same services from a terminal and the serve-mode server.
          cli: resolve(__dirname, 'src-main/cli.ts'),
          // Long work (training, inference, indexing) runs here, off the main thread.
          'job-worker': resolve(__dirname, 'src-main/services/jobs/worker.ts'),
          // Decoding and rendering patch imagery for the map, so the main process never stalls.
          'imagery-worker': resolve(__dirname, 'src-main/services/datasets/render-worker.ts'),
        },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/transports/electron/preload.ts') },
        // A sandboxed preload cannot `require` ESM chunks: emit one CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [svelte()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
});
