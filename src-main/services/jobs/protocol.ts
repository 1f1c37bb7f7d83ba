import type { BackendName } from '../../api/engine';
import type { JobLogLevel, JobProgressUpdate } from './define';

/** Messages between the job service (main thread) and a job's worker thread. */

/** Passed as workerData: everything the worker needs to run one job. */
export interface WorkerStart {
  jobId: string;
  kind: string;
  /** File URL of the kind's module for kinds registered at run time; built-in kinds are looked up by name. */
  module?: string;
  params: unknown;
  /** The engine the user forced (settings), undefined to let the ladder choose. */
  engineForce?: BackendName;
  /** Where the packed caches of the datasets a job opens belong (the workspace's cache folder). */
  cacheRoot?: string;
}

export type ToWorker = { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; update: JobProgressUpdate }
  | { type: 'log'; level: JobLogLevel; message: string; time: string }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; message: string; cancelled: boolean };
