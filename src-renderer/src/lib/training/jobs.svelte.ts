import type { JobInfo, JobLogEvent, JobProgressEvent } from '../../../../src-main/api/jobs';
import type { TerrafuseClient } from '../../../../src-main/api/client';
import { addProgress, emptyCurves, mergeHistory, type Curves } from './job-curves';

/**
 * The job monitor's state. Jobs live in the services, not here: on every (re)connect the list is read again with
 * jobs.list and the job.progress / job.log streams are followed, so a reloaded window or a second browser tab
 * shows the same queue. Curves are rebuilt from the run folder's history (training.run) where the run folder is
 * known, and extended live from progress reports in between.
 */

export interface JobView {
  info: JobInfo;
  curves: Curves;
  log: JobLogEvent[];
  /** The run folder of train / pretrain jobs (or the experiment folder), when known. */
  runPath: string | null;
}

/** Kinds whose curves can be read back from a run folder. */
const RUN_KINDS = new Set(['train', 'pretrain']);
const LOG_LINES = 300;
const STORAGE_KEY = 'terrafuse.training.jobRuns';
const REMEMBERED = 200;

type RunMemory = Record<string, { run: string; kind: string }>;

/**
 * Which run folder each job writes: the services do not report a running job's parameters, so the tab that starts
 * a job remembers its folder (shared with the other tabs of this browser through localStorage); finished jobs
 * name it in their result.
 */
function readMemory(): RunMemory {
  try {
    const raw = globalThis.localStorage?.getItem(STORAGE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return typeof parsed === 'object' && parsed !== null ? (parsed as RunMemory) : {};
  } catch {
    return {};
  }
}

function writeMemory(memory: RunMemory): void {
  try {
    const entries = Object.entries(memory).slice(-REMEMBERED);
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(entries)));
  } catch {
    // Private windows may refuse storage; the monitor still works live.
  }
}

function resultRunPath(result: unknown): string | null {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return null;
  const r = result as Record<string, unknown>;
  if (typeof r.run === 'string') return r.run;
  if (typeof r.out === 'string') return r.out;
  return null;
}

export function isActive(info: Pick<JobInfo, 'state'>): boolean {
  return info.state === 'queued' || info.state === 'running';
}

export class JobsStore {
  jobs = $state<JobView[]>([]);
  error = $state<string | null>(null);
  /** The job whose details (curves, log) are open. */
  selected = $state<string | null>(null);
  readonly #client: TerrafuseClient;
  readonly #cleanup: Array<() => void> = [];
  /** Epoch whose history was last fetched, per job (history is re-read when a new epoch starts). */
  readonly #historyEpoch = new Map<string, number>();
  #refreshing: Promise<void> | null = null;

  constructor(client: TerrafuseClient) {
    this.#client = client;
  }

  start(): void {
    this.#cleanup.push(
      this.#client.on('job.progress', (e) => this.#onProgress(e)),
      this.#client.on('job.log', (e) => this.#onLog(e)),
      // Events sent while disconnected are lost: read the whole list again after every (re)connect.
      this.#client.onStatus((s) => {
        if (s === 'connected') void this.refresh();
      }),
    );
    void this.refresh();
  }

  dispose(): void {
    for (const off of this.#cleanup.splice(0)) off();
  }

  get active(): JobView[] {
    return this.jobs.filter((j) => isActive(j.info));
  }

  find(jobId: string): JobView | undefined {
    return this.jobs.find((j) => j.info.id === jobId);
  }

  /** Called by the panel that started a job: its run folder, so curves come back after a reload. */
  remember(jobId: string, kind: string, run: string): void {
    const memory = readMemory();
    memory[jobId] = { run, kind };
    writeMemory(memory);
    const view = this.find(jobId);
    if (view) view.runPath = run;
    else this.#upsert({ id: jobId, kind, label: kind, state: 'queued', progress: 0, createdAt: new Date().toISOString(), startedAt: null, finishedAt: null }, run);
  }

  refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        const { jobs } = await this.#client.call('jobs.list', {});
        const memory = readMemory();
        const seen = new Set<string>();
        for (const info of jobs) {
          seen.add(info.id);
          this.#upsert(info, memory[info.id]?.run ?? resultRunPath(info.result));
        }
        // Jobs the services no longer know (another session) are dropped.
        this.jobs = this.jobs.filter((j) => seen.has(j.info.id));
        this.error = null;
        await Promise.all(this.jobs.map((j) => this.#loadHistory(j)));
      } catch (err) {
        this.error = err instanceof Error ? err.message : String(err);
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  async cancel(jobId: string): Promise<void> {
    try {
      const info = await this.#client.call('jobs.cancel', { jobId });
      this.#upsert(info, null);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  /** The open job's recent log lines (the stream only brings lines written after we connected). */
  async loadDetail(jobId: string): Promise<void> {
    try {
      const detail = await this.#client.call('jobs.get', { jobId });
      const view = this.#upsert(detail, null);
      const known = new Set(view.log.map((l) => `${l.time}|${l.message}`));
      const merged = [...detail.log.filter((l) => !known.has(`${l.time}|${l.message}`)), ...view.log];
      view.log = merged.sort((a, b) => a.time.localeCompare(b.time)).slice(-LOG_LINES);
      await this.#loadHistory(view, true);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  #upsert(info: JobInfo, runPath: string | null): JobView {
    const existing = this.find(info.id);
    if (existing) {
      existing.info = info;
      if (runPath !== null) existing.runPath = runPath;
      else existing.runPath ??= resultRunPath(info.result);
      return existing;
    }
    this.jobs.push({ info, curves: emptyCurves(), log: [], runPath: runPath ?? resultRunPath(info.result) });
    // The proxied view (what the template reads and later updates go through).
    return this.jobs[this.jobs.length - 1];
  }

  #onProgress(e: JobProgressEvent): void {
    let view = this.find(e.jobId);
    if (!view) {
      // A job started elsewhere (another tab, the CLI of this session): list it, fill in times on the next refresh.
      view = this.#upsert(
        { id: e.jobId, kind: e.kind, label: e.kind, state: e.state, progress: e.progress, createdAt: new Date().toISOString(), startedAt: null, finishedAt: null },
        readMemory()[e.jobId]?.run ?? null,
      );
      void this.refresh();
    }
    const { jobId: _id, ...fields } = e;
    view.info = { ...view.info, ...fields };
    view.curves = addProgress(view.curves, e);
    const epoch = e.epoch ?? 0;
    // A new epoch began: the previous one is in the run folder's history now (with its validation metrics).
    if ((epoch >= 2 && epoch > (this.#historyEpoch.get(e.jobId) ?? 0)) || !isActive(e)) void this.#loadHistory(view, !isActive(e));
    if (!isActive(e)) void this.refresh();
  }

  #onLog(e: JobLogEvent): void {
    const view = this.find(e.jobId);
    if (!view) return;
    view.log.push(e);
    if (view.log.length > LOG_LINES) view.log.splice(0, view.log.length - LOG_LINES);
  }

  async #loadHistory(view: JobView, force = false): Promise<void> {
    if (!view.runPath || !RUN_KINDS.has(view.info.kind)) return;
    const epoch = view.info.epoch ?? 0;
    // Before the first epoch ends there is no history (and maybe no folder) to read.
    if (isActive(view.info) && epoch < 2) return;
    if (!force && (this.#historyEpoch.get(view.info.id) ?? -1) >= epoch) return;
    this.#historyEpoch.set(view.info.id, epoch);
    try {
      const run = await this.#client.call('training.run', { path: view.runPath });
      view.curves = mergeHistory(view.curves, run.history);
    } catch {
      // The folder may not exist yet (a queued job) or be gone; live curves stay.
    }
  }
}
