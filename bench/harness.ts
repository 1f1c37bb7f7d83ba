import * as tf from '@tensorflow/tfjs';
import type { Workload } from './workload';

export interface BenchResult {
  train_patches_per_s: number;
  infer_patches_per_s: number;
  train_step_ms: number;
  infer_step_ms: number;
  /** Process CPU time (all threads) per step: less sensitive than wall time to other load on a shared machine. */
  train_step_cpu_ms: number;
  infer_step_cpu_ms: number;
  steps: number;
  batch: number;
}

/** Wall and CPU time of `steps` calls after one warm-up call (wall time as the PyTorch reference measures). */
async function timed(steps: number, step: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  await step();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/** Training (warm-up + N steps), then inference (warm-up + N steps), like torch_reference.py. */
export async function runBench(w: Workload, steps: number): Promise<BenchResult> {
  const train = await timed(steps, () => w.trainStep());
  const infer = await timed(steps, () => w.inferStep());
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    train_patches_per_s: round((w.batch * steps) / (train.wall / 1000)),
    infer_patches_per_s: round((w.batch * steps) / (infer.wall / 1000)),
    train_step_ms: Math.round(train.wall / steps),
    infer_step_ms: Math.round(infer.wall / steps),
    train_step_cpu_ms: Math.round(train.cpu / steps),
    infer_step_cpu_ms: Math.round(infer.cpu / steps),
    steps,
    batch: w.batch,
  };
}

export interface KernelTime {
  kernel: string;
  calls: number;
  ms: number;
}

/**
 * Per-kernel wall time of one training step (after a warm-up step), largest first: the top-level kernels of
 * profileKernels (kernels our kernels call from inside are already part of their caller's time), keyed by name
 * and input shapes. `cpuMs` is the process CPU time of the same calls (all threads).
 */
export async function profileTrainStep(w: Workload): Promise<{ totalMs: number; kernels: Array<KernelTime & { cpuMs: number }> }> {
  await w.trainStep();
  const { wallMs, kernels } = await profileKernels(() => w.trainStep());
  return {
    totalMs: wallMs,
    kernels: kernels
      .filter((k) => !k.nested)
      .map((k) => ({ kernel: k.kernel, calls: k.calls, ms: k.ms, cpuMs: k.cpuMs }))
      .sort((a, b) => b.ms - a.ms),
  };
}

export interface KernelCost {
  /** Kernel name and input shapes; nested calls (a kernel run by one of our kernels) as "Parent > Child shapes". */
  kernel: string;
  calls: number;
  /** Wall time, including nested calls. */
  ms: number;
  /** Process CPU time (all threads), including nested calls. */
  cpuMs: number;
  /** Whether this is a call made from inside another kernel (already counted in its parent's times). */
  nested: boolean;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Wall and CPU time of every kernel that `body` runs on the active backend, by wrapping each registered kernel
 * function for the duration (kernels our kernels call from inside are listed as nested, so a composite kernel's
 * cost can be split). CPU time counts every thread, so on a shared machine it shows the work a kernel does even
 * when the wall time is inflated by other load; cpu/wall shows whether a kernel runs on the thread pool.
 * Also returns the step's total wall and CPU time (the rest is JavaScript outside kernels: tape, tidy, layers).
 */
export async function profileKernels(body: () => Promise<void>): Promise<{ wallMs: number; cpuMs: number; kernels: KernelCost[] }> {
  const backendName = tf.getBackend();
  const configs = tf.getKernelsForBackend(backendName);
  const originals = configs.map((c) => c.kernelFunc);
  const costs = new Map<string, KernelCost>();
  const stack: string[] = [];
  const shapeText = (inputs: tf.NamedTensorInfoMap) =>
    Object.values(inputs)
      .map((t) => (t && 'shape' in t ? `[${(t.shape as number[]).join(',')}]` : ''))
      .join(' ');
  configs.forEach((config, i) => {
    const original = originals[i];
    config.kernelFunc = ((args: Parameters<tf.KernelFunc>[0]) => {
      const nested = stack.length > 0;
      const key = nested ? `${stack[0]} > ${config.kernelName} ${shapeText(args.inputs)}` : `${config.kernelName} ${shapeText(args.inputs)}`;
      stack.push(config.kernelName);
      const c0 = cpuNow();
      const t0 = performance.now();
      try {
        return original(args);
      } finally {
        const ms = performance.now() - t0;
        const cpuMs = cpuNow() - c0;
        stack.pop();
        const entry = costs.get(key) ?? { kernel: key, calls: 0, ms: 0, cpuMs: 0, nested };
        entry.calls++;
        entry.ms += ms;
        entry.cpuMs += cpuMs;
        costs.set(key, entry);
      }
    }) as tf.KernelFunc;
  });
  try {
    const c0 = cpuNow();
    const t0 = performance.now();
    await body();
    return { wallMs: performance.now() - t0, cpuMs: cpuNow() - c0, kernels: [...costs.values()].sort((a, b) => b.cpuMs - a.cpuMs) };
  } finally {
    configs.forEach((config, i) => (config.kernelFunc = originals[i]));
  }
}
