import type { BackendName } from '../../api/engine';
import type { JobLogLevel, JobKind, JobProgressUpdate } from './define';
import { createJobContext } from './context';

export interface InlineRunOptions {
  jobId?: string;
  signal?: AbortSignal;
  onProgress?(update: JobProgressUpdate): void;
  onLog?(level: JobLogLevel, message: string): void;
  engineForce?: BackendName;
}

/**
 * Runs a job kind in the calling thread with the same context it gets in a worker. For CLI commands that do one
 * job and print its progress (terrafuse train ...), where a worker thread would only add start-up time.
 */
export async function runJobInline<P, R>(kind: JobKind<P, R>, params: unknown, opts: InlineRunOptions = {}): Promise<R> {
  const signal = opts.signal ?? new AbortController().signal;
  const ctx = createJobContext({
    jobId: opts.jobId ?? 'inline',
    signal,
    engineForce: opts.engineForce,
    send: (message) => {
      if (message.type === 'progress') opts.onProgress?.(message.update);
      else if (message.type === 'log') opts.onLog?.(message.level, message.message);
    },
  });
  const parsed = kind.params ? kind.params.parse(params) : (params as P);
  try {
    return await kind.run(parsed, ctx);
  } finally {
    ctx.flush();
  }
}
