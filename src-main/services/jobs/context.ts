import type { BackendName, EngineInfo } from '../../api/engine';
import type { JobContext, JobProgressUpdate } from './define';
import type { FromWorker } from './protocol';

/** Progress messages are coalesced to at most one per this many ms (a training step can take 1 ms). */
export const PROGRESS_INTERVAL_MS = 100;

export interface ContextOptions {
  jobId: string;
  signal: AbortSignal;
  send(message: FromWorker): void;
  engineForce?: BackendName;
  cacheRoot?: string;
}

/** Non-finite numbers become null (JSON has no NaN and a diverged loss is still worth showing). */
function finiteOrNull(v: number | null | undefined): number | null | undefined {
  return v === undefined || v === null ? v : Number.isFinite(v) ? v : null;
}

function clean(update: JobProgressUpdate): JobProgressUpdate {
  const out: JobProgressUpdate = { ...update };
  if (update.loss !== undefined) out.loss = finiteOrNull(update.loss);
  if (update.metrics) {
    out.metrics = Object.fromEntries(Object.entries(update.metrics).map(([k, v]) => [k, finiteOrNull(v) ?? null]));
  }
  if (update.progress !== undefined) out.progress = Number.isFinite(update.progress) ? Math.min(1, Math.max(0, update.progress)) : undefined;
  if (update.eta_s !== undefined && !(Number.isFinite(update.eta_s) && update.eta_s >= 0)) delete out.eta_s;
  return out;
}

/**
 * The JobContext a kind sees, in a worker or inline. `flush()` sends a held-back progress update; call it before
 * reporting the outcome so the last numbers are not lost.
 */
export function createJobContext(opts: ContextOptions): JobContext & { flush(): void } {
  let pending: JobProgressUpdate | undefined;
  let lastSent = 0;
  let lastEpoch: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (!pending) return;
    const update = pending;
    pending = undefined;
    lastSent = Date.now();
    opts.send({ type: 'progress', update });
  };

  return {
    jobId: opts.jobId,
    signal: opts.signal,
    cacheRoot: opts.cacheRoot,
    progress(update) {
      const cleaned = clean(update);
      pending = { ...pending, ...cleaned };
      // A new epoch is always sent at once: epoch boundaries are what the UI's curves are drawn from.
      const epochChanged = cleaned.epoch !== undefined && cleaned.epoch !== lastEpoch;
      if (cleaned.epoch !== undefined) lastEpoch = cleaned.epoch;
      const wait = PROGRESS_INTERVAL_MS - (Date.now() - lastSent);
      if (epochChanged || wait <= 0) flush();
      else if (timer === undefined) timer = setTimeout(flush, wait);
    },
    log(level, message) {
      opts.send({ type: 'log', level, message: String(message), time: new Date().toISOString() });
    },
    async initEngine(): Promise<EngineInfo> {
      const { initEngine } = await import('../../core/engine');
      return initEngine(opts.engineForce ? { force: opts.engineForce } : {});
    },
    flush,
  };
}
