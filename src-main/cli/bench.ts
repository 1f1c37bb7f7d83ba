import { parseArgs } from 'node:util';
import { UsageError, type Command } from './command';

const USAGE = `Usage: terrafuse bench --workload NAME [--steps N] [--json] [--profile]

Measures training (forward + backward + optimizer step) and inference throughput of a workload on the compute
engine the ladder picks (TERRAFUSE_BACKEND forces one): one warm-up step, then N timed steps of each.

  --workload NAME  resnet18 (= ../shared/bench/torch_reference.py), resnet18-small, loader, or map (the map
                   workspace in headless Chromium with 100,000 patches: first render and panning frame times)
  --steps N        timed steps (default: $BENCH_STEPS or 3)
  --json           one JSON line {"engine", "train_patches_per_s", "infer_patches_per_s", ...}
  --profile        also print per-kernel times of one training step (tf.profile)
`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        workload: { type: 'string' },
        steps: { type: 'string' },
        json: { type: 'boolean' },
        profile: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'Benchmark a training/inference workload on the engine in use',
  usage: USAGE,
  async run(argv) {
    const flags = parse(argv);
    const { WORKLOADS, MEASURED_WORKLOADS } = await import('../../bench/workloads');
    const names = [...Object.keys(WORKLOADS), ...Object.keys(MEASURED_WORKLOADS)].join(', ');
    if (!flags.workload) throw new UsageError(`--workload is required (${names})`);
    const spec = WORKLOADS[flags.workload];
    const measured = MEASURED_WORKLOADS[flags.workload];
    if (!spec && !measured) throw new UsageError(`unknown workload '${flags.workload}' (${names})`);
    const stepsText = flags.steps ?? process.env.BENCH_STEPS ?? '3';
    const steps = Number(stepsText);
    if (!Number.isInteger(steps) || steps < 1) throw new UsageError(`--steps must be a positive integer, got '${stepsText}'`);
    if (measured) {
      // Not a compute-engine benchmark (the map in a browser): no engine, its own figures.
      const result = await measured.measure({ steps });
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(`${measured.description}\n${Object.entries(result).map(([k, v]) => `${k.padEnd(36)} ${v}`).join('\n')}\n`);
      return 0;
    }

    const { initEngine } = await import('../core/engine');
    const { runBench, profileTrainStep } = await import('../../bench/harness');
    const engine = await initEngine();
    const workload = spec.create();
    try {
      const result = await runBench(workload, steps);
      const summary = {
        engine: `tfjs-${engine.backend}`,
        ...result,
        workload: spec.name,
        threads: engine.details.threads ?? null,
        simd: engine.details.simd ?? null,
      };
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } else {
        process.stdout.write(
          `${spec.description}\n` +
            `engine  ${summary.engine} (threads ${String(summary.threads)}, simd ${String(summary.simd)})\n` +
            `train   ${result.train_patches_per_s} patches/s  (${result.train_step_ms} ms/step)\n` +
            `infer   ${result.infer_patches_per_s} patches/s  (${result.infer_step_ms} ms/step)\n`,
        );
      }
      if (flags.profile) {
        const { totalMs, kernels } = await profileTrainStep(workload);
        const out = flags.json ? process.stderr : process.stdout;
        out.write(`profiled training step: ${Math.round(totalMs)} ms wall, kernels sum ${Math.round(kernels.reduce((a, k) => a + k.ms, 0))} ms\n`);
        for (const k of kernels.slice(0, 40)) out.write(`${k.ms.toFixed(1).padStart(9)} ms  ${String(k.calls).padStart(3)}x  ${k.kernel}\n`);
      }
    } finally {
      workload.dispose();
    }
    return 0;
  },
};
