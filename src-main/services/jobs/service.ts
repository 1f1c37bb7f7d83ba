import { Worker } from 'node:worker_threads';
import type { BackendName } from '../../api/engine';
import { ApiError } from '../../api/errors';
import { JobInfo, type JobDetail, type JobLogEvent, type JobState } from '../../api/jobs';
import type { EventBus } from '../events';
import type { JobProgressUpdate } from './define';
import type { FromWorker, ToWorker, WorkerStart } from './protocol';
import { JobKindRegistry } from './registry';
import { resolveWorkerEntry } from './worker-entry';

export interface JobServiceOptions {
  events: EventBus;
  registry?: JobKindRegistry;
  /** Jobs running at once; the rest wait in the queue. Default 1 (training saturates the CPU or GPU). */
  maxConcurrent?: number;
  /** After a cancel request, how long a job may take to stop by itself before its worker is terminated. */
  cancelGraceMs?: number;
  /** Finished jobs kept for jobs.list (oldest dropped first). */
  keepFinished?: number;
  /** Log lines kept per job for jobs.get. */
  keepLogLines?: number;
  /** The worker entry (default: resolveWorkerEntry()). */
  workerEntry?: URL;
  /** The engine the user forced, read when a job starts. */
  engineForce?: () => BackendName | undefined;
  /** The folder for the packed dataset caches jobs build, read when a job starts (the workspace may change). */
  cacheRoot?: () => string | undefined;
}

export interface StartJobOptions {
  /** Human title for the UI; default: the kind. */
  label?: string;
  /**
   * Runs in the main thread once the job has ended (done, failed or cancelled) and its worker has stopped, so nothing
   * the worker was writing can land after it: e.g. to record the outcome of a run whose worker was terminated before
   * it could. wait() and shutdown() wait for it; what it throws is logged.
   */
  onEnd?: (info: JobInfo) => void | Promise<void>;
}

interface JobRecord {
  info: JobInfo;
  params: unknown;
  log: JobLogEvent[];
  worker?: Worker;
  cancelRequested: boolean;
  onEnd?: StartJobOptions['onEnd'];
  graceTimer?: ReturnType<typeof setTimeout>;
  finished: Promise<JobInfo>;
  resolveFinished(info: JobInfo): void;
}

const FINAL: ReadonlySet<JobState> = new Set(['done', 'failed', 'cancelled']);

export function isFinalState(state: JobState): boolean {
  return FINAL.has(state);
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const count = (v: unknown): number | undefined => (finite(v) && v >= 0 ? Math.floor(v) : undefined);

/**
 * What a worker reports is checked again here (a kind may post anything): counts become non-negative integers,
 * non-finite numbers null, progress is clamped to 0..1, and anything unusable is dropped.
 */
export function sanitizeUpdate(raw: JobProgressUpdate): JobProgressUpdate {
  const u = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const out: JobProgressUpdate = {};
  if (finite(u.progress)) out.progress = Math.min(1, Math.max(0, u.progress));
  if (count(u.epoch) !== undefined) out.epoch = count(u.epoch);
  if (count(u.step) !== undefined) out.step = count(u.step);
  if (u.loss === null || typeof u.loss === 'number') out.loss = finite(u.loss) ? u.loss : null;
  if (typeof u.metrics === 'object' && u.metrics !== null && !Array.isArray(u.metrics)) {
    out.metrics = Object.fromEntries(
      Object.entries(u.metrics as Record<string, unknown>)
        .filter(([, v]) => v === null || typeof v === 'number')
        .map(([k, v]) => [k, finite(v) ? v : null]),
    );
  }
  if (finite(u.eta_s) && u.eta_s >= 0) out.eta_s = u.eta_s;
  if (typeof u.message === 'string') out.message = u.message.slice(0, 500);
  return out;
}

/**
 * Runs long work as jobs: each job in its own worker thread (so the main process stays responsive and a stuck job
 * can be terminated), at most `maxConcurrent` at once, with progress and log lines streamed as events
 * (job.progress, job.log). State lives here, not in any client: a client that reconnects lists the jobs and
 * listens again.
 */
export class JobService {
  readonly registry: JobKindRegistry;
  private readonly jobs = new Map<string, JobRecord>();
  private readonly queue: JobRecord[] = [];
  private running = 0;
  private counter = 0;
  private closing = false;
  /** Workers being terminated; shutdown waits for them so no thread outlives the service. */
  private readonly terminations = new Set<Promise<number>>();
  private readonly maxConcurrent: number;
  private readonly cancelGraceMs: number;
  private readonly keepFinished: number;
  private readonly keepLogLines: number;
  private workerEntry?: URL;

  constructor(private readonly opts: JobServiceOptions) {
    this.registry = opts.registry ?? new JobKindRegistry();
    this.maxConcurrent = Math.max(1, Math.floor(opts.maxConcurrent ?? 1));
    this.cancelGraceMs = Math.max(0, opts.cancelGraceMs ?? 5000);
    this.keepFinished = opts.keepFinished ?? 200;
    this.keepLogLines = opts.keepLogLines ?? 200;
    this.workerEntry = opts.workerEntry;
  }

  /**
   * Queues a job of a registered kind and returns it (state queued, or running when a slot is free). `params`
   * must be structured-cloneable; the kind validates them in the worker.
   */
  start(kind: string, params: unknown, opts: StartJobOptions = {}): JobInfo {
    if (this.closing) throw new ApiError('unavailable', 'shutting down: no new jobs');
    if (!this.registry.has(kind)) throw new ApiError('bad_request', `unknown job kind: ${kind}`);
    this.counter += 1;
    const id = `job-${Date.now().toString(36)}-${this.counter}`;
    let resolveFinished!: (info: JobInfo) => void;
    const finished = new Promise<JobInfo>((resolve) => {
      resolveFinished = resolve;
    });
    const record: JobRecord = {
      info: {
        id,
        kind,
        label: opts.label ?? kind,
        state: 'queued',
        progress: 0,
        createdAt: new Date().toISOString(),
        startedAt: null,
        finishedAt: null,
      },
      params: structuredClone(params),
      log: [],
      cancelRequested: false,
      onEnd: opts.onEnd,
      finished,
      resolveFinished,
    };
    this.jobs.set(id, record);
    this.queue.push(record);
    this.announce(record);
    this.pump();
    return this.snapshot(record);
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((r) => this.snapshot(r));
  }

  get(jobId: string): JobDetail {
    const record = this.record(jobId);
    return { ...this.snapshot(record), log: record.log.map((l) => ({ ...l })) };
  }

  /** Resolves with the job once it is done, failed or cancelled, its worker has stopped and its onEnd has run. */
  wait(jobId: string): Promise<JobInfo> {
    return this.record(jobId).finished.then((info) => structuredClone(info));
  }

  /**
   * Cancels a job: a queued one at once; a running one is asked to stop (its AbortSignal fires) and terminated if
   * it has not stopped after the grace period. Finished jobs are returned unchanged.
   */
  cancel(jobId: string): JobInfo {
    const record = this.record(jobId);
    const { state } = record.info;
    if (state === 'queued') {
      this.queue.splice(this.queue.indexOf(record), 1);
      this.finish(record, 'cancelled', { message: 'cancelled before it started' });
    } else if (state === 'running' && !record.cancelRequested) {
      record.cancelRequested = true;
      record.info.message = 'cancelling';
      this.announce(record);
      record.worker?.postMessage({ type: 'cancel' } satisfies ToWorker);
      record.graceTimer = setTimeout(() => {
        this.finish(record, 'cancelled', { message: `stopped after ${this.cancelGraceMs} ms grace` });
      }, this.cancelGraceMs);
    }
    return this.snapshot(record);
  }

  /**
   * For quitting: refuses new jobs, cancels queued and running ones and waits until every worker has stopped
   * (cooperatively, or terminated after the grace period).
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    const pending = [...this.jobs.values()].filter((r) => !isFinalState(r.info.state));
    for (const record of [...this.queue]) this.cancel(record.info.id);
    for (const record of pending) this.cancel(record.info.id);
    // Every job's `finished`: also those that ended just before and are still running their onEnd.
    await Promise.all([...this.jobs.values()].map((r) => r.finished));
    await Promise.allSettled([...this.terminations]);
  }

  private record(jobId: string): JobRecord {
    const record = this.jobs.get(jobId);
    if (!record) throw new ApiError('not_found', `no such job: ${jobId}`);
    return record;
  }

  private snapshot(record: JobRecord): JobInfo {
    return structuredClone(record.info);
  }

  private announce(record: JobRecord): void {
    const { id, kind, state, progress, epoch, step, loss, metrics, eta_s, message } = record.info;
    this.opts.events.emit('job.progress', { jobId: id, kind, state, progress, epoch, step, loss, metrics, eta_s, message });
  }

  private pump(): void {
    while (!this.closing && this.running < this.maxConcurrent && this.queue.length > 0) {
      const record = this.queue.shift();
      if (record) this.launch(record);
    }
  }

  private launch(record: JobRecord): void {
    this.running += 1;
    record.info.state = 'running';
    record.info.startedAt = new Date().toISOString();
    this.announce(record);
    const start: WorkerStart = {
      jobId: record.info.id,
      kind: record.info.kind,
      module: this.registry.moduleOf(record.info.kind),
      params: record.params,
      engineForce: this.opts.engineForce?.(),
      cacheRoot: this.opts.cacheRoot?.(),
    };
    let worker: Worker;
    try {
      this.workerEntry ??= resolveWorkerEntry();
      worker = new Worker(this.workerEntry, { workerData: start, name: `terrafuse job ${record.info.id}` });
    } catch (err) {
      this.finish(record, 'failed', { error: `could not start the job worker: ${(err as Error).message}` });
      return;
    }
    record.worker = worker;
    worker.on('message', (message: FromWorker) => {
      try {
        this.onMessage(record, message);
      } catch (err) {
        // A malformed report must fail this job, not throw out of an event handler of the main process.
        this.finish(record, 'failed', { error: `invalid report from the job: ${(err as Error).message}` });
      }
    });
    worker.on('error', (err) => {
      // An exception that escaped the kind (e.g. thrown in a timer callback) or a failed module load.
      this.finish(record, record.cancelRequested ? 'cancelled' : 'failed', { error: err.message });
    });
    worker.on('exit', (code) => {
      this.finish(record, record.cancelRequested ? 'cancelled' : 'failed', {
        error: `the job worker exited (code ${code}) before reporting an outcome`,
      });
    });
  }

  private onMessage(record: JobRecord, message: FromWorker): void {
    if (isFinalState(record.info.state)) return;
    switch (message.type) {
      case 'progress':
        this.applyProgress(record, message.update);
        this.announce(record);
        break;
      case 'log': {
        const line: JobLogEvent = { jobId: record.info.id, level: message.level, message: message.message, time: message.time };
        record.log.push(line);
        if (record.log.length > this.keepLogLines) record.log.splice(0, record.log.length - this.keepLogLines);
        this.opts.events.emit('job.log', line);
        break;
      }
      case 'done': {
        const result = JobInfo.shape.result.safeParse(message.result);
        this.finish(record, 'done', { result: result.success ? result.data : undefined });
        break;
      }
      case 'failed':
        this.finish(record, message.cancelled || record.cancelRequested ? 'cancelled' : 'failed', {
          error: message.cancelled || record.cancelRequested ? undefined : message.message,
        });
        break;
    }
  }

  private applyProgress(record: JobRecord, raw: JobProgressUpdate): void {
    const info = record.info;
    const update = sanitizeUpdate(raw);
    if (update.progress !== undefined) info.progress = Math.max(info.progress, update.progress);
    if (update.epoch !== undefined) info.epoch = update.epoch;
    if (update.step !== undefined) info.step = update.step;
    if (update.loss !== undefined) info.loss = update.loss;
    if (update.metrics !== undefined) info.metrics = update.metrics;
    if (update.eta_s !== undefined) info.eta_s = update.eta_s;
    else if (update.progress !== undefined && info.startedAt && info.progress > 0 && info.progress < 1) {
      // Kinds that do not estimate their remaining time get a linear one from the progress so far.
      const elapsed = (Date.now() - Date.parse(info.startedAt)) / 1000;
      info.eta_s = Math.round((elapsed * (1 - info.progress)) / info.progress * 10) / 10;
    }
    // While cancelling, keep saying so rather than the job's last status line.
    if (update.message !== undefined && !record.cancelRequested) info.message = update.message;
  }

  private finish(record: JobRecord, state: 'done' | 'failed' | 'cancelled', extra: { error?: string; message?: string; result?: JobInfo['result'] }): void {
    const info = record.info;
    if (isFinalState(info.state)) return;
    const wasRunning = info.state === 'running';
    info.state = state;
    info.finishedAt = new Date().toISOString();
    if (state === 'done') {
      info.progress = 1;
      info.eta_s = 0;
      if (extra.result !== undefined) info.result = extra.result;
    }
    if (state === 'failed') info.error = extra.error ?? 'failed';
    info.message = extra.message ?? (state === 'cancelled' ? 'cancelled' : state === 'failed' ? info.error : info.message);
    if (record.graceTimer) clearTimeout(record.graceTimer);
    const worker = record.worker;
    record.worker = undefined;
    let stopped: Promise<unknown> = Promise.resolve();
    if (worker) {
      worker.removeAllListeners('exit');
      const termination = worker.terminate();
      this.terminations.add(termination);
      const forget = (): void => {
        this.terminations.delete(termination);
      };
      termination.then(forget, forget);
      stopped = termination.catch(() => undefined);
    }
    this.announce(record);
    const final = structuredClone(info);
    const onEnd = record.onEnd;
    void stopped
      .then(() => onEnd?.(structuredClone(final)))
      .catch((err: unknown) => console.warn(`terrafuse: after job ${final.id} (${final.kind}):`, err instanceof Error ? err.message : err))
      .then(() => record.resolveFinished(final));
    if (wasRunning) this.running -= 1;
    this.trim();
    this.pump();
  }

  /** Drops the oldest finished jobs beyond keepFinished. */
  private trim(): void {
    const finished = [...this.jobs.values()].filter((r) => isFinalState(r.info.state));
    for (const record of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) {
      this.jobs.delete(record.info.id);
    }
  }
}
