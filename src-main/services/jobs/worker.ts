import { parentPort, workerData } from 'node:worker_threads';
import { createJobContext } from './context';
import { jobKindFromModule, type JobKind } from './define';
import { builtinJobKinds } from './kinds';
import type { FromWorker, ToWorker, WorkerStart } from './protocol';

/**
 * Entry of a job's worker thread (built as out/main/job-worker.js; in development started through
 * worker-bootstrap.mjs, which registers tsx first). One worker runs one job and is terminated by the service
 * once the outcome is reported.
 */

async function loadKind(start: WorkerStart): Promise<JobKind> {
  if (start.module) return jobKindFromModule(await import(/* @vite-ignore */ start.module), start.kind);
  const load = builtinJobKinds[start.kind];
  if (!load) throw new Error(`unknown job kind: ${start.kind}`);
  return jobKindFromModule(await load(), start.kind);
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** Results cross to the main thread and then to JSON: anything else is dropped rather than failing the job. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('job worker started outside a worker thread');
  const start = workerData as WorkerStart;
  const controller = new AbortController();
  port.on('message', (message: ToWorker) => {
    if (message?.type === 'cancel') controller.abort(new Error('cancelled'));
  });
  const send = (message: FromWorker): void => port.postMessage(message);
  const ctx = createJobContext({ jobId: start.jobId, signal: controller.signal, send, engineForce: start.engineForce, cacheRoot: start.cacheRoot });
  try {
    const kind = await loadKind(start);
    let params: unknown = start.params;
    if (kind.params) {
      const parsed = kind.params.safeParse(start.params);
      if (!parsed.success) throw new Error(`invalid parameters for ${start.kind}: ${parsed.error.message}`);
      params = parsed.data;
    }
    const result = await kind.run(params, ctx);
    ctx.flush();
    send({ type: 'done', result: jsonSafe(result) });
  } catch (err) {
    ctx.flush();
    send({ type: 'failed', message: describe(err), cancelled: controller.signal.aborted });
  }
}

void main();
