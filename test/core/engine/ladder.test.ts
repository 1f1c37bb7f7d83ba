import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineInfo } from '../../../src-main/api/engine';
import { getEngineInfo, initEngine } from '../../../src-main/core/engine';

// The ladder on this machine: neither tfjs-node flavour is installed (their libtensorflow download is blocked),
// so the wasm rung wins. The assertions on the native rungs check that whatever the reason, it is stated.

const require = createRequire(import.meta.url);
function installed(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

let savedEnv: string | undefined;
beforeEach(() => {
  savedEnv = process.env.TERRAFUSE_BACKEND;
  delete process.env.TERRAFUSE_BACKEND;
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env.TERRAFUSE_BACKEND;
  else process.env.TERRAFUSE_BACKEND = savedEnv;
});
afterAll(async () => {
  await initEngine({ force: 'wasm' });
});

describe('engine ladder', () => {
  it('climbs to wasm here, with both native rungs skipped and why', async () => {
    const info = await initEngine();
    expect(EngineInfo.parse(info)).toEqual(info);
    expect(info.backend).toBe('wasm');
    expect(info.forced).toBe(false);
    expect(tf.getBackend()).toBe('wasm');
    expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow-gpu', 'tensorflow']);
    const [gpu, cpuNative] = info.skipped;
    expect(gpu.package).toBe('@tensorflow/tfjs-node-gpu');
    expect(cpuNative.package).toBe('@tensorflow/tfjs-node');
    if (!installed('@tensorflow/tfjs-node-gpu')) expect(gpu.reason).toBe('@tensorflow/tfjs-node-gpu is not installed');
    else expect(gpu.reason).toMatch(/no CUDA|failed to load libtensorflow/);
    if (!installed('@tensorflow/tfjs-node')) expect(cpuNative.reason).toBe('@tensorflow/tfjs-node is not installed');
    else expect(cpuNative.reason).toMatch(/failed to load libtensorflow/);
    expect(info.details.simd).toBe(true);
    expect(info.details.threads).toBeGreaterThanOrEqual(1);
    expect(String(info.details.gradientKernels)).toContain('Conv2DBackpropFilter');
    expect(getEngineInfo()).toEqual(info);
  });

  it('returns the cached result for a repeated request', async () => {
    const a = await initEngine();
    const b = await initEngine();
    expect(b).toBe(a);
  });

  it('forcing cpu uses the plain tfjs backend and says the rungs above were not tried', async () => {
    const info = await initEngine({ force: 'cpu' });
    expect(info.backend).toBe('cpu');
    expect(info.forced).toBe(true);
    expect(tf.getBackend()).toBe('cpu');
    expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm']);
    for (const s of info.skipped) expect(s.reason).toBe('not tried: backend forced to cpu');
    // And it computes.
    expect(Array.from(tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1)).dataSync())).toEqual([2, 3]);
    expect(getEngineInfo()?.backend).toBe('cpu');
  });

  it('TERRAFUSE_BACKEND forces a backend too', async () => {
    process.env.TERRAFUSE_BACKEND = 'cpu';
    expect((await initEngine()).backend).toBe('cpu');
    process.env.TERRAFUSE_BACKEND = 'wasm';
    const info = await initEngine();
    expect(info.backend).toBe('wasm');
    expect(info.forced).toBe(true);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('forcing an unavailable backend is a clear error, not a fallback', async () => {
    const before = tf.getBackend();
    const forced = installed('@tensorflow/tfjs-node') ? 'tensorflow-gpu' : 'tensorflow';
    await expect(initEngine({ force: forced })).rejects.toThrow(new RegExp(`forced backend ${forced} .* is unavailable: .+`));
    expect(tf.getBackend()).toBe(before);
  });

  it('an unknown backend name is rejected with the valid choices', async () => {
    process.env.TERRAFUSE_BACKEND = 'cuda';
    await expect(initEngine()).rejects.toThrow(/unknown backend "cuda".*tensorflow-gpu, tensorflow, wasm, cpu/);
  });
});
