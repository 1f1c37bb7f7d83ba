import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Emscripten's Node glue (inside tfjs-backend-wasm) installs process handlers that rethrow every unhandled
// rejection and uncaught exception. In a long-running process (serve mode, the Electron main process, a test
// runner) that turns one stray rejected promise into a crash. The ladder removes them once wasm is up.
describe('wasm start-up and process-wide error handlers', () => {
  it('leaves no rethrowing handler behind: a stray rejection does not kill the process', () => {
    const script = `
      import { initEngine } from ${JSON.stringify(resolve('src-main/core/engine/index.ts'))};
      const before = process.listeners('unhandledRejection').length;
      const info = await initEngine({ force: 'wasm', threads: 2 });
      process.on('unhandledRejection', () => console.log('handled by the host'));
      Promise.reject(new Error('stray'));
      setTimeout(() => console.log(JSON.stringify({ backend: info.backend, added: process.listeners('unhandledRejection').length - before })), 50);
    `;
    // A file, not --eval: the wasm backend's pthread workers inherit execArgv.
    const dir = mkdtempSync(join(tmpdir(), 'terrafuse-handlers-'));
    const file = join(dir, 'probe.mts');
    writeFileSync(file, script);
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toContain('handled by the host');
    const summary = JSON.parse(lines[lines.length - 1]) as { backend: string; added: number };
    expect(summary.backend).toBe('wasm');
    // Only the host's own handler was added.
    expect(summary.added).toBe(1);
  });
});
