import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';

// The engine and bench commands as a user runs them (a fresh process, so the wasm backend starts with its
// default thread count: the threaded build on every core).

function terrafuse(args: string[], env: Record<string, string | undefined> = {}) {
  const childEnv = { ...process.env, ...env };
  delete childEnv.TERRAFUSE_BACKEND;
  delete childEnv.TERRAFUSE_WASM_THREADS;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  const r = spawnSync(process.execPath, ['bin/terrafuse.mjs', ...args], { encoding: 'utf8', env: childEnv, timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('terrafuse engine', () => {
  it('--json reports wasm, the two skipped native rungs, and the threaded build on every core', () => {
    const r = terrafuse(['engine', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { backend: string; skipped: Array<{ backend: string; reason: string }>; details: Record<string, unknown> };
    expect(info.backend).toBe('wasm');
    expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow-gpu', 'tensorflow']);
    for (const s of info.skipped) expect(s.reason.length).toBeGreaterThan(0);
    const cores = Math.min(8, availableParallelism());
    expect(info.details.threads).toBe(cores);
    expect(info.details.binary).toBe(cores > 1 ? 'threaded-simd' : 'simd');
  });

  it('prints a table without --json', () => {
    const r = terrafuse(['engine']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backend\s+package\s+status/m);
    expect(r.stdout).toMatch(/^wasm\s+@tensorflow\/tfjs-backend-wasm \S+\s+in use$/m);
    expect(r.stdout).toMatch(/^tensorflow-gpu\s+@tensorflow\/tfjs-node-gpu\s+skipped: /m);
  });

  it('TERRAFUSE_BACKEND=cpu is honoured; an unavailable forced backend fails with a reason', () => {
    const cpu = terrafuse(['engine', '--json'], { TERRAFUSE_BACKEND: 'cpu' });
    expect(cpu.code, cpu.stderr).toBe(0);
    expect(JSON.parse(cpu.stdout)).toMatchObject({ backend: 'cpu', forced: true });
    const bad = terrafuse(['engine', '--backend', 'tensorflow']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/forced backend tensorflow .* is unavailable: /);
    expect(bad.stdout).toBe('');
  });
});

describe('terrafuse bench', () => {
  it('runs a workload and prints the throughput JSON', () => {
    const r = terrafuse(['bench', '--workload', 'resnet18-small', '--steps', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.engine).toBe('tfjs-wasm');
    for (const key of ['train_patches_per_s', 'infer_patches_per_s']) {
      expect(typeof out[key]).toBe('number');
      expect(out[key] as number).toBeGreaterThan(0);
    }
    expect(out).toMatchObject({ workload: 'resnet18-small', steps: 1, batch: 8 });
  });

  it('rejects an unknown workload with the list of known ones', () => {
    const r = terrafuse(['bench', '--workload', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown workload 'nope' \(resnet18, resnet18-small[,)]/);
  });
});
