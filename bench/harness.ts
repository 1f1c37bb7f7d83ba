import * as tf from '@tensorflow/tfjs';
import type { Workload } from './workload';

export interface BenchResult {
  train_patches_per_s: number;
  infer_patches_per_s: number;
  train_step_ms: number;
  infer_step_ms: number;
  steps: number;
  batch: number;
}

/** Wall time of `steps` calls after one warm-up call, as the PyTorch reference measures. */
async function timed(steps: number, step: () => Promise<void>): Promise<number> {
  await step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) await step();
  return performance.now() - start;
}

/** Training (warm-up + N steps), then inference (warm-up + N steps), like torch_reference.py. */
export async function runBench(w: Workload, steps: number): Promise<BenchResult> {
  const trainMs = await timed(steps, () => w.trainStep());
  const inferMs = await timed(steps, () => w.inferStep());
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    train_patches_per_s: round((w.batch * steps) / (trainMs / 1000)),
    infer_patches_per_s: round((w.batch * steps) / (inferMs / 1000)),
    train_step_ms: Math.round(trainMs / steps),
    infer_step_ms: Math.round(inferMs / steps),
    steps,
    batch: w.batch,
  };
}

export interface KernelTime {
  kernel: string;
  calls: number;
  ms: number;
}

/** Per-kernel wall time of one training step (after a warm-up step), largest first. */
export async function profileTrainStep(w: Workload): Promise<{ totalMs: number; kernels: KernelTime[] }> {
  await w.trainStep();
  const start = performance.now();
  const info = await tf.profile(() => w.trainStep());
  const totalMs = performance.now() - start;
  const byName = new Map<string, KernelTime>();
  for (const k of info.kernels) {
    // Op scopes such as fusedConv2d__op wrap kernels already listed; counting both would double the time.
    if (k.name.endsWith('__op')) continue;
    // Backends without a kernel timer report {error}; count those as 0 rather than failing the profile.
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const key = `${k.name} ${k.inputShapes.map((s) => `[${s?.join(',') ?? ''}]`).join(' ')}`;
    const entry = byName.get(key) ?? { kernel: key, calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += ms;
    byName.set(key, entry);
  }
  return { totalMs, kernels: [...byName.values()].sort((a, b) => b.ms - a.ms) };
}
