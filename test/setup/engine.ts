// Vitest unit setup: every unit test runs on the wasm backend, the engine this machine (and CI) actually has,
// with Terrafuse's gradient kernels registered so training works. One XNNPACK thread per test process: vitest
// already runs two forks on the two cores, and test tensors are too small to gain from a pool.
// TERRAFUSE_WASM_THREADS overrides (e.g. to run the kernel tests on the threaded build).
import { initEngine } from '../../src-main/core/engine';

await initEngine({ force: 'wasm', threads: Number(process.env.TERRAFUSE_WASM_THREADS) || 1 });
