import type { RunContext, RunProgress } from '../../core/train/run';
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

/** The core RunContext of a job: its cancel signal, progress and log. */
export function runContextOf(ctx: JobContext): RunContext {
  return {
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(jobUpdate(p)),
    log: (level, message) => ctx.log(level, message),
  };
}
