import { z } from 'zod';
import { method } from './define';

export const BackendName = z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof BackendName>;

/** Which compute engine the ladder chose at start-up, and why every rung above it was passed over. */
export const EngineInfo = z.object({
  backend: BackendName,
  /** The npm package that provides it, e.g. "@tensorflow/tfjs-backend-wasm". */
  package: z.string(),
  version: z.string(),
  /** Set when the user forced a backend (setting or TERRAFUSE_BACKEND). */
  forced: z.boolean(),
  /** Where a forced backend came from, as the services know it: the Settings panel or the environment. */
  forcedBy: z.enum(['setting', 'environment']).optional(),
  skipped: z.array(z.object({ backend: BackendName, package: z.string(), reason: z.string() })),
  /** Free-form facts worth showing (SIMD, threads, GPU name...). */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type EngineInfo = z.infer<typeof EngineInfo>;

export const engineMethods = {
  'engine.info': method(z.object({}), EngineInfo, 'The compute engine in use and the rungs skipped.'),
};
