import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobInfo } from '../../api/jobs';
import { writeJsonAtomic } from '../../core/fs-atomic';
import { CONFIG_JSON, RUN_JSON, type RunRecord } from '../../core/train/run-folder';

/**
 * A run's record after its job has ended. The run writes run.json itself, in its worker (running, then done,
 * cancelled or failed), but a worker stopped from outside never writes its last word: a job cancelled while its
 * worker is still starting up (engine, dataset cache) is terminated once the cancel grace runs out, and a crashed
 * worker just ends. Its record would say "running" for ever, and the runs table with it. Once the job has ended and
 * its worker has stopped (JobService onEnd), the services write what became of the run.
 */

export type SettleOutcome = 'kept' | 'updated' | 'created' | 'none';

async function readRecord(dir: string): Promise<RunRecord | null> {
  try {
    return JSON.parse(await readFile(join(dir, RUN_JSON), 'utf8')) as RunRecord;
  } catch {
    return null;
  }
}

/**
 * What atomic writes of a terminated worker left half-way: temp files (fs-atomic: `.<file>.<pid>.<thread>.<n>.tmp`)
 * and checkpoint staging folders (`.checkpoint.tmp-<tag>`). Only called once the run's worker has stopped.
 */
async function removeStaleTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((n) => n.startsWith('.') && (n.endsWith('.tmp') || n.includes('.tmp-')));
  await Promise.all(stale.map((n) => rm(join(dir, n), { recursive: true, force: true }).catch(() => undefined)));
}

function endState(job: JobInfo): 'cancelled' | 'failed' | null {
  return job.state === 'cancelled' || job.state === 'failed' ? job.state : null;
}

/**
 * Settles the record of the single run a train or pretrain job wrote into `dir`: a record left at "running" takes the
 * job's end state; a job cancelled after its worker started but before the run created its record gets one saying
 * so (with its configuration, so the runs table can show and repeat it). A job that failed before creating the folder
 * (e.g. a checkpoint that does not fit) leaves none, as the run itself intends.
 */
export async function settleRunRecord(dir: string, job: JobInfo, kind: RunRecord['kind'], config: unknown): Promise<SettleOutcome> {
  const state = endState(job);
  if (state === null) return 'kept';
  const finished = job.finishedAt ?? new Date().toISOString();
  const record = await readRecord(dir);
  if (record) {
    await removeStaleTemps(dir);
    if (record.status !== 'running') return 'kept';
    const updated: RunRecord = {
      ...record,
      status: state,
      finished,
      notes: [...record.notes, `${state === 'cancelled' ? 'cancelled' : 'stopped'} before the run could record it`],
      ...(state === 'failed' ? { error: job.error ?? 'failed' } : {}),
    };
    await writeJsonAtomic(join(dir, RUN_JSON), updated);
    return 'updated';
  }
  if (state !== 'cancelled' || job.startedAt === null) return 'none';
  await mkdir(dir, { recursive: true });
  await removeStaleTemps(dir);
  if (!existsSync(join(dir, CONFIG_JSON))) await writeJsonAtomic(join(dir, CONFIG_JSON), config);
  const created: RunRecord = {
    kind,
    status: 'cancelled',
    started: job.startedAt,
    finished,
    // No engine ran this run.
    engine: { backend: 'none', version: '' },
    best: null,
    test: null,
    seconds: null,
    notes: ['cancelled before the run started'],
  };
  await writeJsonAtomic(join(dir, RUN_JSON), created);
  return 'created';
}

/** The runs of a label-efficiency experiment in `dir` (its pretraining and each fraction × seed × arm run). */
async function experimentRunDirs(dir: string): Promise<string[]> {
  const runs = join(dir, 'runs');
  const names = await readdir(runs).catch(() => [] as string[]);
  return [join(dir, 'pretrain'), ...names.map((n) => join(runs, n))];
}

/** Settles every run of an experiment job left at "running" (none is created: the experiment records its own plan). */
export async function settleExperimentRecords(dir: string, job: JobInfo): Promise<number> {
  if (endState(job) === null) return 0;
  let updated = 0;
  for (const run of await experimentRunDirs(dir)) {
    if (!existsSync(join(run, RUN_JSON))) continue;
    const record = await readRecord(run);
    if (record?.status === 'running' && (await settleRunRecord(run, job, record.kind, null)) === 'updated') updated++;
  }
  return updated;
}
