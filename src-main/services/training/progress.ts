import type { RunContext, RunProgress } from '../../core/train/run';
import { packedCacheDir } from '../datasets/dataset-dirs';
import type { JobContext, JobProgressUpdate } from '../jobs/define';

/** A training run's progress as a job progress update (the UI's curves are drawn from epoch, loss and metrics). */
export function jobUpdate(p: RunProgress): JobProgressUpdate {
  const where = p.phase === 'train' ? `epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps}` : `validating ${p.step}/${p.steps}`;
  return {
    progress: p.progress,
    epoch: p.epoch,
    step: p.step,
    loss: p.loss,
    metrics: p.metrics,
    eta_s: p.etaSeconds,
    message: p.stage ? `${p.stage}: ${where}` : where,
  };
}

/** The core RunContext of a job on the dataset at `data`: its cancel signal, progress, log and cache folder. */
export function runContextOf(ctx: JobContext, data: string): RunContext {
  return {
    cacheDir: ctx.cacheRoot !== undefined ? packedCacheDir(ctx.cacheRoot, data) : undefined,
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(jobUpdate(p)),
    log: (level, message) => ctx.log(level, message),
  };
}
