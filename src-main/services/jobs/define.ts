import type { z } from 'zod';
import type { EngineInfo } from '../../api/engine';
import type { JobLogEvent } from '../../api/jobs';

/**
 * What a job kind module looks like. A kind is a module whose default export is `defineJobKind({...})`; it runs
 * inside a worker thread (see worker.ts), so it may block on tfjs for minutes without freezing the window.
 *
 *   // src-main/services/train/job.ts
 *   export default defineJobKind({
 *     params: TrainParams,                      // zod; validated in the worker before run
 *     async run(params, ctx) {
 *       await ctx.initEngine();
 *       for (let epoch = 0; epoch < params.epochs; epoch++) {
 *         ctx.signal.throwIfAborted();          // cooperative cancellation
 *         ...
 *         ctx.progress({ progress: (epoch + 1) / params.epochs, epoch, loss });
 *       }
 *       return { runDir };                      // JSON: becomes JobInfo.result
 *     },
 *   });
 */

/** What a kind reports; merged into the job's state. Non-finite loss/metric values are sent as null. */
export interface JobProgressUpdate {
  /** 0..1; the service keeps it monotone. */
  progress?: number;
  epoch?: number;
  step?: number;
  loss?: number | null;
  metrics?: Record<string, number | null>;
  eta_s?: number;
  message?: string;
}

export type JobLogLevel = JobLogEvent['level'];

export interface JobContext {
  readonly jobId: string;
  /** Aborted when the job is cancelled. Check it between steps; the worker is terminated after a grace period. */
  readonly signal: AbortSignal;
  /** Reports progress. Cheap to call often: updates are coalesced to a few per second. */
  progress(update: JobProgressUpdate): void;
  log(level: JobLogLevel, message: string): void;
  /** Brings up the compute engine in this worker (the ladder, honouring the user's engine override). */
  initEngine(): Promise<EngineInfo>;
  /**
   * Where packed dataset caches belong (the workspace's cache folder); undefined: the data layer's default under
   * the OS temp (CLI runs, tests).
   */
  readonly cacheRoot?: string;
}

export interface JobKind<P = unknown, R = unknown> {
  /** Validates the parameters in the worker; without it they are passed as given. */
  readonly params?: z.ZodType<P>;
  /** Does the work. Resolve with JSON-serialisable data; throw to fail; throw after abort to end cancelled. */
  run(params: P, ctx: JobContext): Promise<R>;
}

export function defineJobKind<P, R>(kind: JobKind<P, R>): JobKind<P, R> {
  return kind;
}

/** Recognises a kind module's export (the default export, or a named `kind`). */
export function jobKindFromModule(mod: unknown, name: string): JobKind {
  const candidate = (mod as { default?: unknown; kind?: unknown } | null)?.default ?? (mod as { kind?: unknown } | null)?.kind;
  if (!candidate || typeof (candidate as JobKind).run !== 'function') {
    throw new Error(`job kind ${name}: its module must export default defineJobKind({ run })`);
  }
  return candidate as JobKind;
}
