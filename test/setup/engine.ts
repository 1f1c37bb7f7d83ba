// Vitest unit setup: every unit test runs on the wasm backend, the engine this machine (and CI) actually has,
// with Terrafuse's gradient kernels registered so training works.
import { initEngine } from '../../src-main/core/engine';

await initEngine({ force: 'wasm' });
