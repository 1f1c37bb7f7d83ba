import { z } from 'zod';
import { method } from './define';

export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

/** Metric values by name; null stands for a value that is not a finite number (a diverged loss, say). */
export const JobMetrics = z.record(z.string(), z.number().nullable());

/** The progress fields a job reports; every one but `progress` is optional. */
const progressFields = {
  state: JobState,
  /** 0..1, monotone within a run. */
  progress: z.number().min(0).max(1),
  epoch: z.number().int().nonnegative().optional(),
  step: z.number().int().nonnegative().optional(),
  loss: z.number().nullable().optional(),
  metrics: JobMetrics.optional(),
  eta_s: z.number().nonnegative().optional(),
  message: z.string().optional(),
};

/** Streamed on every state change and progress report of every job. */
export const JobProgressEvent = z.object({ jobId: z.string(), kind: z.string(), ...progressFields });
export type JobProgressEvent = z.infer<typeof JobProgressEvent>;

export const JobLogEvent = z.object({
  jobId: z.string(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string(),
  time: z.string(),
});
export type JobLogEvent = z.infer<typeof JobLogEvent>;

/** A job as the service keeps it: its latest progress plus its life cycle and outcome. */
export const JobInfo = z.object({
  id: z.string(),
  kind: z.string(),
  /** Human title shown in the UI ("Train U-Net on ben-ge 10%"). */
  label: z.string(),
  ...progressFields,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Why the job failed (state failed). */
  error: z.string().optional(),
  /** What the job returned (state done): kind-specific JSON, e.g. the run folder and final metrics. */
  result: z.json().optional(),
});
export type JobInfo = z.infer<typeof JobInfo>;

export const JobDetail = JobInfo.extend({
  /** The latest log lines of the job (the service keeps a bounded tail). */
  log: z.array(JobLogEvent),
});
export type JobDetail = z.infer<typeof JobDetail>;

const JobRef = z.object({ jobId: z.string().min(1) });

export const jobsMethods = {
  'jobs.list': method(z.object({}), z.object({ jobs: z.array(JobInfo) }), 'All jobs of this session, oldest first.'),
  'jobs.get': method(JobRef, JobDetail, 'One job with its recent log lines.'),
  'jobs.cancel': method(JobRef, JobInfo, 'Cancel a queued or running job (no-op for finished ones).'),
};

export const jobsEvents = {
  'job.progress': JobProgressEvent,
  'job.log': JobLogEvent,
};
